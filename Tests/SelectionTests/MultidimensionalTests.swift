import Foundation
import IRT
import Selection
import Simulation
import Store
import XCTest

/// K > 1 ability estimation, scoring, selection and CAT.
final class MultidimensionalTests: XCTestCase {
    /// A random K-dimensional bank of `n` items in two benchmarks.
    func bank(_ response: ResponseModel, dims k: Int = 2, items n: Int = 12, tails: BetaTails = .clamped,
              population: [Double] = [], seed: UInt64 = 5) throws -> ItemBank {
        var rng = RandomSource(seed: seed, stream: 1)
        let a = (0..<(n * k)).map { _ in 0.3 + 1.2 * rng.uniform() }
        let d = (0..<n).map { _ in rng.normal() }
        let g = (0..<n).map { $0 % 3 == 0 ? 0.2 : 0.0 }
        let phi = response.hasPrecision ? [12.0, 20.0] : [Double.nan, .nan]
        let items = CalibratedItems(dims: k, itemIDs: (0..<n).map { "q\($0)" }, a: a, d: d, g: g,
                                    benchmarkOfItem: (0..<n).map { $0 % 2 }, benchmarkNames: ["x", "y"], phi: phi, response: response)
        return try ItemBank(items: items, populationTheta: population, betaTails: tails)
    }

    func observations(_ bank: ItemBank, _ response: ResponseModel, seed: UInt64 = 9) -> [Observation] {
        var rng = RandomSource(seed: seed, stream: 2)
        return (0..<bank.count).map { j in
            switch response {
            case .bernoulli: return Observation(item: j, y: rng.uniform() < 0.5 ? 0 : 1)
            case .binomial, .betaBinomial: return Observation(item: j, y: Double(Int(rng.uniform() * 6)) / 5, trials: 5)
            case .beta:
                // Some responses in the censored tails (≤ ε, ≥ 1 − ε).
                return Observation(item: j, y: j % 5 == 0 ? 0 : j % 5 == 1 ? 1 : 0.05 + 0.9 * rng.uniform())
            }
        }
    }

    /// (b) The gradient is the derivative of the log-posterior, for every likelihood and Beta tail treatment.
    func testGradientMatchesFiniteDifferences() throws {
        let cases: [(ResponseModel, BetaTails)] = [(.bernoulli, .clamped), (.binomial, .clamped), (.betaBinomial, .clamped),
                                                   (.beta, .clamped), (.beta, .censored)]
        for (response, tails) in cases {
            let bank = try bank(response, tails: tails)
            let obs = observations(bank, response)
            let prior = MultivariatePrior(mean: [0.2, -0.1], covariance: [1.0, 0.3, 0.3, 0.8])
            for theta in [[0.0, 0.0], [0.7, -1.1], [-1.5, 0.4]] {
                let at = MultidimensionalAbility.evaluate(obs, bank: bank, prior: prior, theta: theta)
                for c in 0..<2 {
                    let h = 1e-5
                    var up = theta, down = theta
                    up[c] += h; down[c] -= h
                    let numeric = (MultidimensionalAbility.evaluate(obs, bank: bank, prior: prior, theta: up).value
                                   - MultidimensionalAbility.evaluate(obs, bank: bank, prior: prior, theta: down).value) / (2 * h)
                    XCTAssertEqual(at.gradient[c], numeric, accuracy: 1e-5 * max(1, abs(numeric)), "\(response) \(tails) θ=\(theta) c=\(c)")
                }
                // The information is symmetric and positive definite.
                XCTAssertEqual(at.information[1], at.information[2], accuracy: 1e-12)
                XCTAssertNotNil(MultivariatePrior.inverse(at.information, 2), "\(response)")
            }
        }
    }

    /// (b) For Bernoulli and binomial data ℓ is linear in y, so the expected log-likelihood at θ₀ is ℓ with
    /// y = P(θ₀); the information is its negative Hessian (by finite differences), prior precision included.
    func testInformationIsExpectedNegativeHessian() throws {
        for response in [ResponseModel.bernoulli, .binomial] {
            let bank = try bank(response)
            let prior = MultivariatePrior.standard(2)
            for theta0 in [[0.3, -0.6], [-1.2, 1.0]] {
                let obs = (0..<bank.count).map { Observation(item: $0, y: bank.probability($0, at: theta0), trials: response == .binomial ? 4 : 1) }
                let info = MultidimensionalAbility.evaluate(obs, bank: bank, prior: prior, theta: theta0).information
                let h = 1e-4
                func f(_ dx: Double, _ dy: Double) -> Double {
                    MultidimensionalAbility.evaluate(obs, bank: bank, prior: prior, theta: [theta0[0] + dx, theta0[1] + dy]).value
                }
                let hxx = -(f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / (h * h)
                let hyy = -(f(0, h) - 2 * f(0, 0) + f(0, -h)) / (h * h)
                let hxy = -(f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
                for (got, want) in zip(info, [hxx, hxy, hxy, hyy]) {
                    XCTAssertEqual(got, want, accuracy: 1e-4 * max(1, abs(want)), "\(response) θ₀=\(theta0)")
                }
            }
        }
    }

    /// (b) The MAP is the maximum: no point of a fine grid around it has a larger log-posterior, and its
    /// covariance is the inverse of the penalised information there.
    func testPosteriorModeIsTheMaximumOfAGrid() throws {
        for response in [ResponseModel.bernoulli, .beta, .betaBinomial] {
            let bank = try bank(response)
            let obs = observations(bank, response, seed: 21)
            let mode = MultidimensionalAbility.posteriorMode(obs, bank: bank)
            XCTAssertTrue(mode.converged, "\(response)")
            let best = MultidimensionalAbility.evaluate(obs, bank: bank, prior: bank.abilityPrior, theta: mode.theta)
            var top = -Double.infinity, arg = [0.0, 0.0]
            for x in stride(from: -3.0, through: 3.0, by: 0.02) {
                for y in stride(from: -3.0, through: 3.0, by: 0.02) {
                    let v = MultidimensionalAbility.evaluate(obs, bank: bank, prior: bank.abilityPrior, theta: [x, y]).value
                    if v > top { top = v; arg = [x, y] }
                }
            }
            XCTAssertGreaterThanOrEqual(best.value, top - 1e-9, "\(response)")
            XCTAssertEqual(mode.theta[0], arg[0], accuracy: 0.02, "\(response)")
            XCTAssertEqual(mode.theta[1], arg[1], accuracy: 0.02, "\(response)")
            let inverse = MultivariatePrior.inverse(best.information, 2)!
            for (c, e) in zip(mode.covariance, inverse) { XCTAssertEqual(c, e, accuracy: 1e-12) }
        }
    }

    /// A K = 2 bank whose second loadings are all zero is the K = 1 bank: the same θ₁ and SE, θ₂ at the prior
    /// mean, and nearly the same full-score estimates (grid versus quadrature).
    func testZeroSecondDimensionReducesToOneDimension() throws {
        let one = try bank(.bernoulli, dims: 1, items: 30)
        let two = try ItemBank(items: CalibratedItems(dims: 2, itemIDs: one.ids, a: one.a.flatMap { [$0, 0] }, d: one.d, g: one.g,
                                                      benchmarkOfItem: one.benchmarkOfItem, benchmarkNames: one.benchmarkNames,
                                                      phi: one.phi, response: .bernoulli), populationTheta: [])
        let obs = Array(observations(one, .bernoulli, seed: 3).prefix(10))
        let k1 = AbilityEstimator.posteriorMode(obs, bank: one, prior: one.prior)
        let k2 = MultidimensionalAbility.posteriorMode(obs, bank: two)
        XCTAssertEqual(k2.theta[0], k1.theta, accuracy: 1e-7)
        XCTAssertEqual(k2.theta[1], 0, accuracy: 1e-9)
        XCTAssertEqual(k2.se[0], k1.se, accuracy: 1e-7)
        XCTAssertEqual(k2.se[1], 1, accuracy: 1e-9)
        let s1 = ScorePredictor(bank: one).score(obs, prior: one.prior).scores
        let s2 = ScorePredictor(bank: two).score(obs, prior: two.prior).scores
        for (x, y) in zip(s1, s2) {
            XCTAssertEqual(x.estimate, y.estimate, accuracy: 2e-3)
            XCTAssertEqual(x.sd, y.sd, accuracy: 5e-3)
            XCTAssertEqual(x.itemsUsed, y.itemsUsed)
        }
    }

    /// The quadrature integrates the standard normal's moments up to its degree.
    func testNormalQuadratureMoments() {
        for k in 1...7 {
            let q = NormalQuadrature(dims: k)
            XCTAssertEqual(q.weights.reduce(0, +), 1, accuracy: 1e-12)
            for c in 0..<k {
                XCTAssertEqual((0..<q.count).reduce(0) { $0 + q.weights[$1] * q.nodes[$1 * k + c] }, 0, accuracy: 1e-12)
                XCTAssertEqual((0..<q.count).reduce(0) { $0 + q.weights[$1] * pow(q.nodes[$1 * k + c], 2) }, 1, accuracy: 1e-12, "K=\(k)")
            }
        }
        let q = NormalQuadrature(dims: 2)
        XCTAssertEqual((0..<q.count).reduce(0) { $0 + q.weights[$1] * pow(q.nodes[$1 * 2], 4) }, 3, accuracy: 1e-10)
    }

    /// (a) Two benchmarks on two dimensions: scored from the same random subset, a K = 1 fit predicts one
    /// benchmark's full score clearly worse than a K = 2 fit (one ability carries the other benchmark too),
    /// and the K = 2 fit is not worse on the other.
    func testTwoDimensionsBeatOneWhereBenchmarksMeasureDifferentAbilities() throws {
        let data = TwoDimensionalData(models: 400, itemsPerBenchmark: 250, seed: 17)
        let train = Array(0..<300), test = Array(300..<400)
        let truth = data.truth(test)
        var rmse: [Int: [Double]] = [:]
        for k in [1, 2] {
            let bank = try data.fittedBank(rows: train, dims: k)
            XCTAssertEqual(bank.dims, k)
            let subset = ItemSelector(bank: bank, population: .uniform(-2, 2)).select(perBenchmark: 15, method: .random, seed: 4).map(\.item)
            let evaluator = SubsetEvaluator(bank: bank, responses: data.rows(test), trials: nil)
            let estimates = evaluator.estimates(subset: subset)
            XCTAssertTrue(estimates.allSatisfy { $0 >= 0 && $0 <= 1 })
            rmse[k] = (0..<2).map { b in rootMeanSquare(test.indices.map { estimates[$0 * 2 + b] - truth[$0 * 2 + b] }) }
        }
        let worse = rmse[1]![0] / rmse[2]![0] > rmse[1]![1] / rmse[2]![1] ? 0 : 1
        print("two-dimensional matrix, RMSE K=1 \(rmse[1]!), K=2 \(rmse[2]!)")
        XCTAssertLessThan(rmse[2]![worse], 0.75 * rmse[1]![worse], "K = 2 should fix the benchmark K = 1 mispredicts")
        XCTAssertLessThan(rmse[2]![1 - worse], 1.1 * rmse[1]![1 - worse])
    }

    /// D-optimal selection buys a smaller expected posterior SD than random subsets of the same size, and on a
    /// benchmark mixing both dimensions it picks items of both.
    func testDOptimalSelectionBeatsRandomAndCoversBothDimensions() throws {
        var rng = RandomSource(seed: 3, stream: 4)
        let n = 200
        var a: [Double] = []
        for j in 0..<n { a += j % 2 == 0 ? [1.5 * rng.uniform() + 0.3, 0.05] : [0.05, 1.5 * rng.uniform() + 0.3] }
        let items = CalibratedItems(dims: 2, itemIDs: (0..<n).map { "q\($0)" }, a: a, d: (0..<n).map { _ in rng.normal() },
                                    g: [Double](repeating: 0, count: n), benchmarkOfItem: [Int](repeating: 0, count: n),
                                    benchmarkNames: ["mixed"], phi: [.nan], response: .bernoulli)
        let population = (0..<400).map { _ in rng.normal() }
        let bank = try ItemBank(items: items, populationTheta: population)
        let selector = ItemSelector(bank: bank, population: .uniform(-2, 2))
        let chosen = selector.select(perBenchmark: 10, method: .fisher).map(\.item)
        XCTAssertEqual(chosen.count, 10)
        let onFirst = chosen.filter { $0 % 2 == 0 }.count
        XCTAssertTrue((3...7).contains(onFirst), "D-optimal picks both dimensions: \(onFirst) of 10 on dimension 1")
        let optimal = selector.multidimensionalStandardError(of: chosen)
        for seed in 1...5 as ClosedRange<UInt64> {
            let random = selector.select(perBenchmark: 10, method: .random, seed: seed).map(\.item)
            XCTAssertLessThan(optimal, selector.multidimensionalStandardError(of: random))
        }
        XCTAssertTrue(chosen.allSatisfy { selector.integratedInformation($0) > 0 })
    }

    /// CAT on a K = 2 bank gives the budget, never repeats an item, and scores within [0, 1].
    func testAdaptiveTestOnTwoDimensions() throws {
        let data = TwoDimensionalData(models: 200, itemsPerBenchmark: 150, seed: 8)
        let bank = try data.fittedBank(rows: Array(0..<150), dims: 2)
        let tester = AdaptiveTester(bank: bank, predictor: ScorePredictor(bank: bank), prior: bank.prior,
                                    options: AdaptiveTestOptions(start: 4, maxItems: 20))
        let row = Array(data.responses[(170 * data.items)..<(171 * data.items)])
        let result = tester.run(responses: row)
        XCTAssertEqual(result.administered.count, 20)
        XCTAssertEqual(Set(result.administered).count, 20)
        XCTAssertEqual(result.stop, .budget)
        // Both benchmarks (dimensions) are tested.
        XCTAssertTrue((0..<2).allSatisfy { b in result.administered.contains { bank.benchmarkOfItem[$0] == b } })
        XCTAssertEqual(result.scored.ability.thetaVector.count, 2)
        XCTAssertTrue(result.scored.scores.allSatisfy { $0.estimate >= 0 && $0.estimate <= 1 && $0.lower <= $0.estimate && $0.estimate <= $0.upper })
    }
}
