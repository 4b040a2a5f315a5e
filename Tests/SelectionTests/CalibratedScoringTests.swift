import Foundation
import IRT
import Selection
import XCTest

/// Calibrated scoring, decision accuracy, reconstruction selection and the
/// score-precision stop of CAT.
final class CalibratedScoringTests: XCTestCase {
    /// Pairs worked out by hand: (0,1) ✓, (0,2) ✓, (0,3) ✗, (1,2) ✗,
    /// (1,3) ✓, (2,3) estimates tie → ½; model 4 has no truth, and 5 ties
    /// model 0's truth (that pair does not count).
    func testDecisionAccuracyAgainstAHandComputedCase() {
        let estimates = [0.1, 0.4, 0.3, 0.3, 0.9, 0.5]
        let truth = [0.2, 0.5, 0.6, 0.1, .nan, 0.2]
        // Model 5 against 1, 2, 3: e 0.5 vs 0.4 (t 0.2 < 0.5) ✗, vs 0.3 (t 0.2 < 0.6) ✗, vs 0.3 (t 0.2 > 0.1) ✓.
        let all = DecisionAccuracy.allPairs(estimates: estimates, truth: truth)
        XCTAssertEqual(all.pairs, 9)
        XCTAssertEqual(all.correct, 3.5 + 1, accuracy: 1e-12)
        let listed = DecisionAccuracy.listed([(0, 3), (1, 3), (2, 3), (4, 0), (0, 5)], estimates: estimates, truth: truth)
        XCTAssertEqual(listed.pairs, 3)
        XCTAssertEqual(listed.correct, 1.5, accuracy: 1e-12)
    }

    /// The closed-form leave-one-out error equals refitting without each point.
    func testLeaveOneOutLineMatchesRefits() {
        var rng = SplitMix(seed: 3)
        let x = (0..<15).map { _ in Double(rng.below(1000)) / 1000 }
        let y = x.map { 0.2 + 0.7 * $0 + Double(rng.below(100)) / 1000 }
        let line = LeaveOneOutLine(x: x, y: y)
        var press = 0.0
        for i in x.indices {
            var xs = x, ys = y
            xs.remove(at: i); ys.remove(at: i)
            let fit = LeaveOneOutLine(x: xs, y: ys)
            press += pow(y[i] - fit.intercept - fit.slope * x[i], 2)
        }
        XCTAssertEqual(line.press, press, accuracy: 1e-12 * max(press, 1))
        let flat = LeaveOneOutLine(x: [0.5, 0.5, 0.5, 0.5], y: [0.1, 0.2, 0.3, 0.6])
        XCTAssertEqual(flat.slope, 0)
        XCTAssertEqual(flat.intercept, 0.3, accuracy: 1e-12)
        // Leaving out 0.1 the others' mean is 1.1/3, leaving out 0.2 it is 1.0/3, 0.3 → 0.3, 0.6 → 0.2.
        let expected = pow(0.1 - 1.1 / 3, 2) + pow(0.2 - 1.0 / 3, 2) + 0 + pow(0.6 - 0.2, 2)
        XCTAssertEqual(flat.press, expected, accuracy: 1e-12)
    }

    /// Held-out test models of a simulated matrix, scored from random
    /// subsets: the calibrated combination is never worse than either of
    /// its parts (the IRT reconstruction, the subset mean, the linear-
    /// calibrated subset mean), both with the calibrated items and with a
    /// bank whose first benchmark is made 0.6 logits too easy (the IRT
    /// prediction biased there), where it must also beat the raw IRT clearly.
    func testCombinedEstimatorNeverWorseThanEitherPart() throws {
        let data = SimulatedData(models: 600, items: 1200, benchmarks: 3, response: .bernoulli, seed: 31)
        let train = Array(0..<450), test = Array(450..<600)
        let fitted = try data.fittedBank(rows: train)
        var d = fitted.d
        for j in fitted.itemsOfBenchmark[0] { d[j] += 0.6 }
        let biased = try ItemBank(ids: fitted.ids, benchmarkOfItem: fitted.benchmarkOfItem, benchmarkNames: fitted.benchmarkNames,
                                  a: fitted.a, d: d, g: fitted.g, phi: fitted.phi, response: fitted.response,
                                  populationTheta: fitted.populationTheta)
        for (label, bank) in [("fitted", fitted), ("biased", biased)] {
            let evaluation = PopulationEvaluation(bank: bank, train: data.rows(train), trainTrials: nil,
                                                  test: data.rows(test), testTrials: nil)
            let selector = ItemSelector(bank: bank, population: AbilityDistribution.smoothed(bank.populationTheta))
            var combined = 0.0, irt = 0.0, mean = 0.0, linear = 0.0
            for draw in 0..<4 {
                let subset = selector.select(perBenchmark: 20, method: .random, seed: UInt64(draw + 1)).map(\.item)
                var allowed = [Bool](repeating: false, count: bank.count)
                for j in subset { allowed[j] = true }
                let s = evaluation.scores(subset: subset)
                let truth = evaluation.test.truth()
                let testMean = SubsetMeans.compute(evaluation.test.responses, models: test.count, bank: bank, allowed: allowed)
                // The λ = 0 calibration, fitted on the training models like the combined one.
                let trainMean = SubsetMeans.compute(evaluation.train.responses, models: train.count, bank: bank, allowed: allowed)
                let trainTruth = evaluation.train.truth()
                let nb = bank.benchmarkCount
                var lin = [Double](repeating: .nan, count: testMean.count)
                for b in 0..<nb {
                    let line = LeaveOneOutLine(x: (0..<train.count).map { trainMean[$0 * nb + b] },
                                               y: (0..<train.count).map { trainTruth[$0 * nb + b] })
                    for m in 0..<test.count { lin[m * nb + b] = line.intercept + line.slope * testMean[m * nb + b] }
                    // On the training models the chosen λ's leave-one-out error is at most both ends'.
                    let k = s.calibration.benchmarks[b]
                    XCTAssertLessThanOrEqual(k.residualSD * k.residualSD * Double(k.models), line.press * (1 + 1e-9), "\(label) bench \(b)")
                }
                func rmse(_ e: [Double]) -> Double { rootMeanSquare(zip(e, truth).map { $0 - $1 }) }
                combined += rmse(s.calibrated); irt += rmse(s.irt); mean += rmse(testMean); linear += rmse(lin)
            }
            XCTAssertLessThanOrEqual(combined, 1.02 * min(irt, mean, linear), "\(label): combined \(combined / 4), irt \(irt / 4), mean \(mean / 4), linear \(linear / 4)")
            if label == "biased" { XCTAssertLessThan(combined, 0.8 * irt, "the calibration must remove the planted bias") }
        }
    }

    /// Greedy reconstruction subsets predict held-out full scores (through
    /// the line fitted on the training models) better than random subsets
    /// of the same size, and never choose an item twice.
    func testReconstructionSelectionBeatsRandomSubsets() throws {
        let data = SimulatedData(models: 500, items: 900, benchmarks: 3, response: .bernoulli, seed: 12)
        let train = Array(0..<400), test = Array(400..<500)
        let bank = try data.trueBank(populationRows: train)
        let chosen = ReconstructionSelector(bank: bank, responses: data.rows(train), theta: train.map { data.sim.theta[$0] }).select(perBenchmark: 15)
        XCTAssertEqual(chosen.count, 45)
        XCTAssertEqual(Set(chosen).count, 45)
        for b in 0..<3 { XCTAssertEqual(chosen.filter { bank.benchmarkOfItem[$0] == b }.count, 15) }
        let evaluation = PopulationEvaluation(bank: bank, train: data.rows(train), trainTrials: nil, test: data.rows(test), testTrials: nil)
        func heldOut(_ subset: [Int]) -> Double {
            var allowed = [Bool](repeating: false, count: bank.count)
            for j in subset { allowed[j] = true }
            let nb = bank.benchmarkCount
            let trainMean = SubsetMeans.compute(evaluation.train.responses, models: train.count, bank: bank, allowed: allowed)
            let testMean = SubsetMeans.compute(evaluation.test.responses, models: test.count, bank: bank, allowed: allowed)
            let trainTruth = evaluation.train.truth(), truth = evaluation.test.truth()
            var errors: [Double] = []
            for b in 0..<nb {
                let line = LeaveOneOutLine(x: (0..<train.count).map { trainMean[$0 * nb + b] }, y: (0..<train.count).map { trainTruth[$0 * nb + b] })
                for m in 0..<test.count { errors.append(line.intercept + line.slope * testMean[m * nb + b] - truth[m * nb + b]) }
            }
            return rootMeanSquare(errors)
        }
        let selector = ItemSelector(bank: bank, population: AbilityDistribution.smoothed(bank.populationTheta))
        let random = (1...6).map { heldOut(selector.select(perBenchmark: 15, method: .random, seed: UInt64($0)).map(\.item)) }
        let mine = heldOut(chosen)
        XCTAssertLessThan(mine, 0.9 * random.reduce(0, +) / 6, "reconstruction \(mine) vs random \(random)")
    }

    /// CAT with a score target stops when every benchmark's score SD is at
    /// most the target, and not before: one item fewer, some SD was above it.
    func testAdaptiveTestStopsAtTheScoreTarget() throws {
        let data = SimulatedData(models: 60, items: 600, benchmarks: 2, response: .bernoulli, seed: 8)
        let bank = try data.trueBank()
        let predictor = ScorePredictor(bank: bank)
        let target = 0.04
        let tester = AdaptiveTester(bank: bank, predictor: predictor, prior: bank.prior,
                                    options: AdaptiveTestOptions(start: 3, maxItems: 400, scoreSETarget: target))
        var stopped = 0
        for r in 0..<20 {
            let row = Array(data.responses[(r * data.items)..<((r + 1) * data.items)])
            let result = tester.run(responses: row)
            guard result.stop == .scoreSETarget else { XCTAssertEqual(result.stop, .budget); continue }
            stopped += 1
            XCTAssertTrue(result.scored.scores.allSatisfy { $0.sd <= target + 1e-12 }, "row \(r)")
            XCTAssertLessThan(result.administered.count, 400)
            if result.administered.count > 3 {
                let before = result.administered.dropLast().map { Observation(item: $0, y: Double(row[$0])) }
                let earlier = predictor.score(Array(before), prior: bank.prior).scores
                XCTAssertTrue(earlier.contains { $0.sd > target }, "row \(r) went on after reaching the score target")
            }
        }
        XCTAssertGreaterThan(stopped, 10)
    }
}
