import Foundation
import ScalingLaw
import Store
import XCTest

/// The named splits of `irsl backtest --protocol`, on a small table whose
/// answer is known by construction.
final class BacktestProtocolTests: XCTestCase {
    /// Family a: 1, 2, 7, 7 (two largest tie); b: 3, 5; c: 4 (alone); d: 1, 2, 3 with d's 2 lacking a benchmark; e: no params.
    let covariates: [ModelCovariates] = [
        .init(name: "a1", family: "a", params: 1, tokens: 1), .init(name: "a2", family: "a", params: 2, tokens: 1),
        .init(name: "a7", family: "a", params: 7, tokens: 1), .init(name: "a7-chat", family: "a", params: 7, tokens: 1),
        .init(name: "b3", family: "b", params: 3, tokens: 1), .init(name: "b5", family: "b", params: 5, tokens: 1),
        .init(name: "c4", family: "c", params: 4, tokens: 1),
        .init(name: "d1", family: "d", params: 1, tokens: 1), .init(name: "d2", family: "d", params: 2, tokens: 1),
        .init(name: "d3", family: "d", params: 3, tokens: 1),
        .init(name: "e1", family: "e"),
    ]
    let responses = [3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 3]

    func names(_ rows: [Int]) -> [String] { rows.map { covariates[$0].name } }

    func testLargestPerFamily() throws {
        let folds = try BacktestProtocol.largestPerFamily.folds(covariates: covariates, responses: responses, benchmarks: 3)
        XCTAssertEqual(folds.count, 1)
        // Families with ≥ 3 members (a, d): a's two 7s tie; d's largest is d3.
        XCTAssertEqual(names(folds[0].test), ["a7", "a7-chat", "d3"])
        XCTAssertEqual(names(folds[0].train), ["a1", "a2", "b3", "b5", "c4", "d1", "d2", "e1"])
        let named = try BacktestProtocol.largestPerFamily.folds(covariates: covariates, responses: responses, benchmarks: 3, testFamilies: [["b"]])
        XCTAssertEqual(names(named[0].test), ["b5"])
    }

    func testLeaveFamilyOutKeepsTheSmallestAndOnlyCompleteModels() throws {
        let folds = try BacktestProtocol.leaveFamilyOut.folds(covariates: covariates, responses: responses, benchmarks: 3)
        // d2 is incomplete, so d has 2 complete models (d1, d3); c has one and e none: they take no part.
        XCTAssertEqual(folds.map(\.name), ["a", "b", "d"])
        XCTAssertEqual(names(folds[0].test), ["a2", "a7", "a7-chat"])
        XCTAssertEqual(names(folds[0].train), ["a1", "b3", "b5", "d1", "d3"])
        XCTAssertEqual(names(folds[2].test), ["d3"])
        let joined = try BacktestProtocol.leaveFamilyOut.folds(covariates: covariates, responses: responses, benchmarks: 3, testFamilies: [["a", "b"]])
        XCTAssertEqual(joined.map(\.name), ["a+b"])
        XCTAssertEqual(names(joined[0].test), ["a2", "a7", "a7-chat", "b5"])
        XCTAssertThrowsError(try BacktestProtocol.leaveFamilyOut.folds(covariates: covariates, responses: responses, benchmarks: 3,
                                                                       testFamilies: [["zz"]])) { error in
            XCTAssertTrue("\(error)".contains("--test-families") && "\(error)".contains("zz"), "\(error)")
        }
    }
}
