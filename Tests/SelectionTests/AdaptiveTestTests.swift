import Foundation
import IRT
import Selection
import XCTest

final class AdaptiveTestTests: XCTestCase {
    var data: SimulatedData!
    var bank: ItemBank!
    var predictor: ScorePredictor!

    override func setUpWithError() throws {
        data = SimulatedData(models: 120, items: 1200, benchmarks: 3, response: .bernoulli, seed: 17)
        bank = try data.trueBank()
        predictor = ScorePredictor(bank: bank)
    }

    func row(_ r: Int) -> [Float] { Array(data.responses[(r * data.items)..<((r + 1) * data.items)]) }

    func tester(start: Int = 5, maxItems: Int, seTarget: Double? = nil) -> AdaptiveTester {
        AdaptiveTester(bank: bank, predictor: predictor, prior: bank.prior,
                       options: AdaptiveTestOptions(start: start, maxItems: maxItems, seTarget: seTarget))
    }

    /// With an SE target the test stops as soon as the target is met: the
    /// final SE is at most the target, the SE one item earlier was above it,
    /// and fewer items than the budget were used.
    func testStopsAtTheStandardErrorTarget() {
        let target = 0.3
        let cat = tester(start: 3, maxItems: 200, seTarget: target)
        for r in 0..<40 {
            let result = cat.run(responses: row(r))
            XCTAssertEqual(result.stop, .seTarget)
            XCTAssertLessThanOrEqual(result.scored.ability.se, target + 1e-9)
            XCTAssertLessThan(result.administered.count, 200)
            let given = result.administered
            if given.count > 3 {
                let before = given.dropLast().map { Observation(item: $0, y: Double(data.responses[r * data.items + $0])) }
                XCTAssertGreaterThan(AbilityEstimator.posteriorMode(before, bank: bank, prior: bank.prior).se, target,
                                     "row \(r) went on after reaching the target")
            }
        }
    }

    /// Without a target the budget stops it, exactly; items are never
    /// repeated, and only answered items are given.
    func testStopsAtTheBudgetAndGivesOnlyAnsweredItemsOnce() {
        var rowValues = row(3)
        for j in stride(from: 0, to: data.items, by: 3) { rowValues[j] = .nan }      // a third unanswered
        let result = tester(maxItems: 25).run(responses: rowValues)
        XCTAssertEqual(result.stop, .budget)
        XCTAssertEqual(result.administered.count, 25)
        XCTAssertEqual(Set(result.administered).count, 25)
        XCTAssertTrue(result.administered.allSatisfy { !rowValues[$0].isNaN })
        XCTAssertEqual(result.scored.scores.reduce(0) { $0 + $1.itemsUsed }, 25)
    }

    /// A model that answered only seven items runs out of items.
    func testStopsWhenNoItemIsLeft() {
        var rowValues = [Float](repeating: .nan, count: data.items)
        for j in [3, 100, 250, 401, 660, 900, 1111] { rowValues[j] = data.responses[5 * data.items + j] }
        let result = tester(maxItems: 50, seTarget: 0.01).run(responses: rowValues)
        XCTAssertEqual(result.stop, .exhausted)
        XCTAssertEqual(Set(result.administered), Set([3, 100, 250, 401, 660, 900, 1111]))
    }

    /// The start items are spread over difficulty, and adaptive items
    /// measure better than the same number of random ones.
    func testStartSpreadAndAdaptiveGain() {
        let cat = tester(start: 5, maxItems: 30)
        var rng = SplitMix(seed: 2)
        var catErrors: [Double] = [], randomErrors: [Double] = []
        for r in 0..<data.models {
            let result = cat.run(responses: row(r))
            let starts = result.administered.prefix(5).map { bank.difficulty($0) }
            if r < 10 { XCTAssertGreaterThan(starts.max()! - starts.min()!, 1.5, "start items \(starts)") }
            catErrors.append(result.scored.ability.theta - data.sim.theta[r])
            var pool = Array(0..<data.items)
            for i in 0..<30 { pool.swapAt(i, i + Int(rng.below(UInt64(pool.count - i)))) }
            let obs = data.observations(row: r, subset: Array(pool.prefix(30)))
            randomErrors.append(AbilityEstimator.posteriorMode(obs, bank: bank, prior: bank.prior).theta - data.sim.theta[r])
        }
        XCTAssertLessThan(rootMeanSquare(catErrors), 0.85 * rootMeanSquare(randomErrors))
    }
}
