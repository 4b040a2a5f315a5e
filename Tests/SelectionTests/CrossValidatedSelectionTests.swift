import Foundation
import IRT
import Selection
import XCTest

/// `DiscriminatingSelector` and the cross-validated choice of `irsl select --method auto`.
final class CrossValidatedSelectionTests: XCTestCase {
    /// 200 simulated models, 2 benchmarks of 300 items; in each benchmark
    /// the first `noisy` items are replaced by coin flips (independent of
    /// ability: no information about the full score).
    func noisyData(noisy: Int) throws -> (data: SimulatedData, bank: ItemBank, noise: Set<Int>) {
        var data = SimulatedData(models: 200, items: 600, benchmarks: 2, response: .bernoulli, seed: 41)
        let bank = try data.trueBank()
        var rng = SplitMix(seed: 9)
        var noise = Set<Int>()
        for b in 0..<2 {
            for j in bank.itemsOfBenchmark[b].prefix(noisy) {
                noise.insert(j)
                for m in 0..<data.models { data.responses[m * data.items + j] = rng.below(2) == 0 ? 0 : 1 }
            }
        }
        return (data, bank, noise)
    }

    /// One item per stratum of mean response, and never a coin-flip item:
    /// within its stratum every coin flip correlates less with the full
    /// score than the informative items there.
    func testDiscriminatingTakesOneCorrelatedItemPerStratum() throws {
        let (data, bank, noise) = try noisyData(noisy: 40)
        let n = 10
        let chosen = DiscriminatingSelector(bank: bank, responses: data.responses).select(perBenchmark: n)
        XCTAssertEqual(chosen.count, 2 * n)
        XCTAssertEqual(Set(chosen).count, 2 * n)
        XCTAssertTrue(chosen.allSatisfy { !noise.contains($0) }, "coin-flip items chosen: \(chosen.filter { noise.contains($0) })")
        for b in 0..<2 {
            let mine = chosen.filter { bank.benchmarkOfItem[$0] == b }
            XCTAssertEqual(mine.count, n)
            // Strata in order of mean response: the chosen items' means rise, and span most of the range.
            let mean = { (j: Int) in (0..<data.models).reduce(0.0) { $0 + Double(data.responses[$1 * data.items + j]) } / Double(data.models) }
            let means = mine.map(mean)
            XCTAssertEqual(means, means.sorted(), "benchmark \(b)")
            let all = bank.itemsOfBenchmark[b].map(mean).sorted()
            XCTAssertLessThanOrEqual(means.first!, all[all.count / n], "benchmark \(b): the hardest stratum is represented")
            XCTAssertGreaterThanOrEqual(means.last!, all[all.count - all.count / n - 1], "benchmark \(b): the easiest stratum is represented")
        }
    }

    /// Two candidates, each good on one benchmark and coin flips on the
    /// other: the cross-validated choice takes each where it is good, its
    /// held-out errors say so, and every subset but the final one is chosen
    /// without the models it is judged on.
    func testCrossValidationChoosesPerBenchmarkOnHeldOutModels() throws {
        let (data, bank, noise) = try noisyData(noisy: 20)
        let noisy = noise.sorted()
        let good = (0..<2).map { b in Array(bank.itemsOfBenchmark[b].filter { !noise.contains($0) }.prefix(20)) }
        let bad = (0..<2).map { b in noisy.filter { bank.benchmarkOfItem[$0] == b } }
        final class Calls: @unchecked Sendable {
            let lock = NSLock()
            var lists: [[Int]] = []
            func add(_ l: [Int]) { lock.lock(); lists.append(l); lock.unlock() }
        }
        let calls = Calls()
        let first = SelectionCandidate(name: "first") { rows in calls.add(rows); return good[0] + bad[1] }
        let second = SelectionCandidate(name: "second") { _ in bad[0] + good[1] }
        var cv = CrossValidatedSelector(bank: bank, responses: data.responses, trials: nil)
        cv.folds = 4
        let choice = cv.select(candidates: [first, second])
        XCTAssertEqual(choice.chosen, [0, 1])
        XCTAssertEqual(Set(choice.items), Set(good[0] + good[1]))
        XCTAssertEqual(choice.summary([first, second]), "first ×1, second ×1")
        XCTAssertLessThan(choice.heldOutRMSE[0][0], 0.8 * choice.heldOutRMSE[1][0])
        XCTAssertLessThan(choice.heldOutRMSE[1][1], 0.8 * choice.heldOutRMSE[0][1])
        // Two shuffles of four folds, each chosen from the other three (150 models, none of the fold), then all 200.
        XCTAssertEqual(calls.lists.count, 9)
        XCTAssertTrue(calls.lists.prefix(8).allSatisfy { $0.count == 150 })
        for shuffle in [0, 4] {
            let heldOut = calls.lists[shuffle..<(shuffle + 4)].map { Set(0..<data.models).subtracting($0) }
            XCTAssertEqual(heldOut.reduce(Set<Int>()) { $0.union($1) }.count, 200, "every model is held out once per shuffle")
        }
        XCTAssertNotEqual(calls.lists[0], calls.lists[4], "the two shuffles differ")
        XCTAssertEqual(calls.lists.last!, Array(0..<data.models))
        // A copy of the default under another name is never preferred: equal errors are no evidence.
        let copy = SelectionCandidate(name: "copy") { _ in good[0] + bad[1] }
        XCTAssertEqual(cv.select(candidates: [first, copy]).chosen, [0, 0])
    }

    /// The one-standard-error rule on hand-computed held-out errors of four
    /// models (one benchmark): candidate 1 has the default's mean (not
    /// better), candidate 3 a lower mean whose paired difference
    /// (−0.04, 0.04, −0.04, −0.04: mean −0.02, sd 0.04, SE 0.02) is only one
    /// SE below zero (not enough), candidate 2 is better by far.
    func testOneStandardErrorRule() {
        let base = [0.04, 0.04, 0.04, 0.04]
        let same = [0.03, 0.05, 0.03, 0.05], better = [0.01, 0.02, 0.01, 0.02], lucky = [0.0, 0.08, 0.0, 0.0]
        XCTAssertEqual(CrossValidatedSelector.choose(benchmark: 0, squared: [base, same, better, lucky], rows: 4), 2)
        XCTAssertEqual(CrossValidatedSelector.choose(benchmark: 0, squared: [base, same, lucky], rows: 4), 0)
        XCTAssertEqual(CrossValidatedSelector.choose(benchmark: 0, squared: [base, lucky.map { $0 / 2 }], rows: 4), 1,
                       "halved, the same pattern is 3 SE below zero")
        // The second benchmark's rows; NaN (not held out) is skipped, and a default without any error yields.
        XCTAssertEqual(CrossValidatedSelector.choose(benchmark: 1, squared: [[0, 0, .nan, .nan], [0, 0, 0.1, 0.2]], rows: 2), 1)
    }
}
