import Foundation
import IRT
import Selection
import Store
import XCTest

/// Abilities and full-benchmark scores of new models, against known truth.
final class ScoringTests: XCTestCase {
    /// MAP with the population prior recovers the generating abilities from
    /// 120 of 900 items, and its standard error is calibrated: the squared
    /// standardised errors average about 1.
    func testAbilityRecoveryAndCalibratedStandardErrors() throws {
        for response in [ResponseModel.bernoulli, .beta] {
            let data = SimulatedData(models: 300, items: 900, benchmarks: 3, response: response, seed: 21)
            let bank = try data.trueBank()
            var rng = SplitMix(seed: 5)
            var estimates: [Double] = [], truth: [Double] = [], z2: [Double] = []
            for r in 0..<data.models {
                let subset = (0..<120).map { _ in Int(rng.below(UInt64(data.items))) }
                let e = AbilityEstimator.estimate(data.observations(row: r, subset: Array(Set(subset))), bank: bank, prior: bank.prior)
                estimates.append(e.theta); truth.append(data.sim.theta[r])
                z2.append(pow((e.theta - data.sim.theta[r]) / e.se, 2))
                if let mle = e.mle, let se = e.mleSE {
                    XCTAssertEqual(mle, e.theta, accuracy: 4 * se, "\(response): MLE and MAP far apart for row \(r)")
                    XCTAssertGreaterThanOrEqual(se, e.se, "the prior can only shrink the standard error")
                }
            }
            XCTAssertGreaterThan(Agreement.pearson(estimates, truth), response == .beta ? 0.995 : 0.95, "\(response)")
            let meanZ2 = z2.reduce(0, +) / Double(z2.count)
            XCTAssertGreaterThan(meanZ2, 0.7, "\(response): standard errors too large (mean z² \(meanZ2))")
            XCTAssertLessThan(meanZ2, 1.35, "\(response): standard errors too small (mean z² \(meanZ2))")
        }
    }

    /// All right or all wrong on a Bernoulli test: no finite MLE, but the
    /// MAP is finite and on the right side of the population.
    func testMLEExistsOnlyForMixedBernoulliResponses() throws {
        let data = SimulatedData(models: 50, items: 200, benchmarks: 2, response: .bernoulli, seed: 4)
        let bank = try data.trueBank()
        let items = Array(0..<30)
        let allRight = items.map { Observation(item: $0, y: 1) }, allWrong = items.map { Observation(item: $0, y: 0) }
        let right = AbilityEstimator.estimate(allRight, bank: bank, prior: bank.prior)
        let wrong = AbilityEstimator.estimate(allWrong, bank: bank, prior: bank.prior)
        XCTAssertNil(right.mle); XCTAssertNil(wrong.mle)
        XCTAssertTrue(right.theta.isFinite && wrong.theta.isFinite)
        XCTAssertGreaterThan(right.theta, bank.prior.mean + bank.prior.sd)
        XCTAssertLessThan(wrong.theta, bank.prior.mean - bank.prior.sd)
        var mixed = allRight
        mixed[3].y = 0; mixed[17].y = 0
        XCTAssertNotNil(AbilityEstimator.estimate(mixed, bank: bank, prior: bank.prior).mle)
        XCTAssertNil(AbilityEstimator.maximumLikelihood([], bank: bank))
    }

    /// Beta responses of exactly 0 or 1 are scored as the fit treats them,
    /// clamped to ε and 1 − ε: finite, and identical to the clamped values.
    func testBetaResponsesAtZeroAndOneAreClampedAsInTheFit() throws {
        let data = SimulatedData(models: 50, items: 300, benchmarks: 2, response: .beta, seed: 6)
        let bank = try data.trueBank()
        let eps = Double(betaClampEpsilon)
        var exact = data.observations(row: 7, subset: Array(0..<40))
        exact[0].y = 1; exact[1].y = 0; exact[2].y = 1
        var clamped = exact
        clamped[0].y = 1 - eps; clamped[1].y = eps; clamped[2].y = 1 - eps
        let a = AbilityEstimator.estimate(exact, bank: bank, prior: bank.prior)
        let b = AbilityEstimator.estimate(clamped, bank: bank, prior: bank.prior)
        XCTAssertTrue(a.theta.isFinite && a.se.isFinite)
        XCTAssertEqual(a.theta, b.theta, accuracy: 1e-9)
        XCTAssertEqual(a.se, b.se, accuracy: 1e-12)
    }

    /// Strong models answering easy Beta items give many responses within ε
    /// of 1. The density at the clamped value would pull their ability down;
    /// the fit's Beta likelihood (IRT.BetaLikelihood) scores them as
    /// P(Y ≥ 1 − ε), and so does the default scoring, which is therefore
    /// unbiased, like the exact-tail bank (`beta_tails = censored`).
    func testBetaScoringIsUnbiasedAtTheBoundaries() throws {
        let data = SimulatedData(models: 400, items: 1500, benchmarks: 3, response: .beta, seed: 8)
        let clampedBank = try data.trueBank(), censoredBank = try data.trueBank(betaTails: .censored)
        let easy = (0..<data.items).filter { clampedBank.a[$0] > 1.1 && clampedBank.difficulty($0) < -1.0 }
        let strong = (0..<data.models).sorted { data.sim.theta[$0] > data.sim.theta[$1] }.prefix(60)
        var censored: [Double] = [], clamped: [Double] = [], hits = 0, total = 0
        for r in strong {
            let obs = data.observations(row: r, subset: easy)
            hits += obs.filter { $0.y >= 1 - CensoredBeta.epsilon }.count; total += obs.count
            censored.append(AbilityEstimator.posteriorMode(obs, bank: censoredBank, prior: censoredBank.prior).theta - data.sim.theta[r])
            clamped.append(AbilityEstimator.posteriorMode(obs, bank: clampedBank, prior: clampedBank.prior).theta - data.sim.theta[r])
        }
        XCTAssertGreaterThan(Double(hits) / Double(total), 0.1, "the scenario needs many clamped responses")
        let censoredBias = censored.reduce(0, +) / Double(censored.count), clampedBias = clamped.reduce(0, +) / Double(clamped.count)
        XCTAssertLessThan(abs(censoredBias), 0.04, "censored bias \(censoredBias) on \(easy.count) easy items")
        XCTAssertLessThan(abs(clampedBias), 0.04, "default (censored in the likelihood) bias \(clampedBias)")
    }

    /// `ItemBank.read` takes the fit's `beta_tails` attribute into account and rejects unknown values.
    func testBetaTailsAttributeOfAFit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("irsl-tails-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fit.h5").path
        let attributes = FitAttributes(loglik: -1, nParameters: 6, aic: 14, bic: 15, iterations: 3, converged: true, ranks: 1,
                                       seconds: 0.1, model: "2pl", response: "beta", irslVersion: "test", command: "test",
                                       clampedEntries: 0, nObservations: 4)
        let fit = FitResult(modelNames: ["m1", "m2"], theta: [-1, 1], thetaSE: [0.1, 0.1], itemIDs: ["q1", "q2"],
                            itemBenchmarks: ["b", "b"], a: [1, 1.5], d: [0, 0.5], g: [0, 0], aSE: [0.1, 0.1], dSE: [0.1, 0.1],
                            benchmarkNames: ["b"], phi: [12], dims: 1, logLikelihoodHistory: [-1], attributes: attributes)
        try fit.write(to: path)
        XCTAssertEqual(try ItemBank.read(fit: path).bank.betaTails, .clamped)
        for (value, expected) in [("censored", BetaTails.censored), ("clamped", .clamped)] {
            let file = try H5File(path, mode: .readWrite)
            try file.setAttribute(BetaTails.attribute, value)
            file.close()
            XCTAssertEqual(try ItemBank.read(fit: path).bank.betaTails, expected)
        }
        let file = try H5File(path, mode: .readWrite)
        try file.setAttribute(BetaTails.attribute, "trimmed")
        file.close()
        XCTAssertThrowsError(try ItemBank.read(fit: path)) { error in
            XCTAssertTrue("\(error)".contains("fit.h5") && "\(error)".contains("@beta_tails") && "\(error)".contains("trimmed"), "\(error)")
        }
    }

    /// The full pipeline with a fitted bank: calibrate on 600 models, score
    /// 150 held-out ones from 30 items per benchmark. Fisher subsets beat
    /// random ones, 90 % intervals cover about 90 % of true scores, and
    /// with every item observed the estimate is the observed score itself.
    func testFullScoresFromSubsetsOfHeldOutModels() throws {
        for response in [ResponseModel.bernoulli, .beta] {
            let data = SimulatedData(models: 750, items: 1500, benchmarks: 3, response: response, seed: 31, missing: 0.02)
            let train = (0..<data.models).filter { $0 % 5 != 0 }, test = (0..<data.models).filter { $0 % 5 == 0 }
            let bank = try data.fittedBank(rows: train)
            let evaluator = SubsetEvaluator(bank: bank, responses: data.rows(test), trials: nil)
            let selector = ItemSelector(bank: bank, population: AbilityDistribution.smoothed(bank.populationTheta))
            let truth = evaluator.truth()
            let fisher = selector.select(perBenchmark: 30, method: .fisher).map(\.item)
            let fisherRMSE = evaluator.errors(method: "fisher", estimates: evaluator.estimates(subset: fisher), truth: truth).last!.rmse
            var randomRMSE = 0.0
            for seed in 1...3 {
                let subset = selector.select(perBenchmark: 30, method: .random, seed: UInt64(seed)).map(\.item)
                randomRMSE += evaluator.errors(method: "random", estimates: evaluator.estimates(subset: subset), truth: truth).last!.rmse / 3
            }
            XCTAssertLessThan(fisherRMSE, response == .beta ? 0.015 : 0.04, "\(response)")
            XCTAssertLessThan(fisherRMSE, 0.92 * randomRMSE, "\(response): fisher \(fisherRMSE) vs random \(randomRMSE)")

            // Interval coverage, and the observed items counting as themselves.
            let predictor = evaluator.predictor
            var covered = 0, pairs = 0
            let nb = bank.benchmarkCount
            for (i, r) in test.enumerated() {
                let scored = predictor.score(data.observations(row: r, subset: fisher), prior: bank.prior, level: 0.9)
                for s in scored.scores {
                    let t = truth[i * nb + s.benchmark]
                    XCTAssertLessThanOrEqual(s.lower, s.estimate); XCTAssertLessThanOrEqual(s.estimate, s.upper)
                    if t >= s.lower && t <= s.upper { covered += 1 }
                    pairs += 1
                }
                if i < 5 {
                    // Every answered item observed: they count as themselves, the 2 % missing are predicted.
                    let observed = data.observations(row: r)
                    let everything = predictor.score(observed, prior: bank.prior)
                    var answered = Set<Int>()
                    for o in observed { answered.insert(o.item) }
                    for s in everything.scores {
                        let items = bank.itemsOfBenchmark[s.benchmark]
                        let sum = observed.filter { bank.benchmarkOfItem[$0.item] == s.benchmark }.reduce(0) { $0 + $1.y }
                            + items.filter { !answered.contains($0) }.reduce(0) { $0 + bank.probability($1, everything.ability.theta) }
                        XCTAssertEqual(s.estimate, sum / Double(items.count), accuracy: 1e-4)
                        // Only the unanswered items' own noise is left (variance at most 1/4 each).
                        let missing = Double(items.filter { !answered.contains($0) }.count)
                        XCTAssertLessThan(s.upper - s.lower, 2 * 1.645 * (missing / 4).squareRoot() / Double(items.count) + 1e-3)
                        XCTAssertEqual(s.itemsUsed, observed.filter { bank.benchmarkOfItem[$0.item] == s.benchmark }.count)
                    }
                }
            }
            let coverage = Double(covered) / Double(pairs)
            XCTAssertGreaterThan(coverage, 0.8, "\(response): 90% intervals cover \(coverage)")
            XCTAssertLessThan(coverage, 0.985, "\(response): 90% intervals cover \(coverage)")
        }
    }

    /// Benchmarks a model did not take are predicted from those it did
    /// (`irsl score` on a file without their columns): answers on two of
    /// three benchmarks give the third's full score through θ alone
    /// (items_used 0), closer to the truth than the population's mean
    /// score, with 90 % intervals that cover about 90 % of the truths.
    func testBenchmarksNotTakenArePredictedFromTheOthers() throws {
        let data = SimulatedData(models: 500, items: 600, benchmarks: 3, response: .bernoulli, seed: 41, missing: 0)
        let train = (0..<data.models).filter { $0 % 5 != 0 }, test = (0..<data.models).filter { $0 % 5 == 0 }
        let bank = try data.fittedBank(rows: train)
        let truth = SubsetEvaluator(bank: bank, responses: data.rows(test), trials: nil).truth()
        let predictor = ScorePredictor(bank: bank)
        let hidden = 2, taken = (0..<data.items).filter { bank.benchmarkOfItem[$0] != hidden }
        let nb = bank.benchmarkCount
        let populationMean = test.indices.reduce(0.0) { $0 + truth[$1 * nb + hidden] } / Double(test.count)
        var covered = 0, error = 0.0, baseline = 0.0
        for (i, r) in test.enumerated() {
            let scored = predictor.score(data.observations(row: r, subset: taken), prior: bank.prior, level: 0.9)
            let s = scored.scores[hidden], t = truth[i * nb + hidden]
            XCTAssertEqual(s.itemsUsed, 0)
            if t >= s.lower && t <= s.upper { covered += 1 }
            error += (s.estimate - t) * (s.estimate - t) / Double(test.count)
            baseline += (populationMean - t) * (populationMean - t) / Double(test.count)
        }
        let coverage = Double(covered) / Double(test.count)
        XCTAssertLessThan(error.squareRoot(), 0.5 * baseline.squareRoot(), "RMSE \(error.squareRoot()) vs the population mean's \(baseline.squareRoot())")
        XCTAssertEqual(coverage, 0.9, accuracy: 3 * (0.09 / Double(test.count)).squareRoot() + 0.02, "90% intervals of the benchmark not taken")
    }

    func testNormalQuantile() {
        XCTAssertEqual(normalQuantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(normalQuantile(0.5), 0, accuracy: 1e-14)
        XCTAssertEqual(normalQuantile(0.001), -3.090232306167813, accuracy: 1e-11)
    }
}
