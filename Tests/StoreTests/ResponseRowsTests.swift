import Foundation
import XCTest
import Store

/// The one block-row reader of response files, and the benchmark order.
final class ResponseRowsTests: StoreTestCase {
    let m = 5, n = 3

    /// Entry (r, j) is r / 10 + j / 100 (row 2 item 1 missing); trials r + j + 1.
    func value(_ r: Int, _ j: Int) -> Float { r == 2 && j == 1 ? .nan : Float(r) / 10 + Float(j) / 100 }

    func writeFile(trials: Bool) throws -> String {
        let p = path(trials ? "counts.h5" : "plain.h5")
        let info = ResponseFileInfo(path: p, models: m, items: n, kind: trials ? .proportion : .probability, hasTrials: trials,
                                    modelNames: (0..<m).map { "m\($0)" }, families: nil, params: nil, tokens: nil, flops: nil,
                                    itemIDs: ["a1", "b1", "a2"], benchmarks: ["a", "b", "a"], floor: nil)
        try writeAtomically(p) { f in
            try writeResponseMetadata(f, info: info)
            try createResponseMatrices(f, info: info, chunkRows: 2)
            let y = (0..<m).flatMap { r in (0..<n).map { value(r, $0) } }
            try y.withUnsafeBufferPointer { try f.writeRows(ResponseLayout.responses, rowStart: 0, rowCount: m, floats: $0) }
            if trials {
                let t = (0..<m).flatMap { r in (0..<n).map { Int32(r + $0 + 1) } }
                try t.withUnsafeBufferPointer { try f.writeRows(ResponseLayout.trials, rowStart: 0, rowCount: m, ints: $0) }
            }
        }
        return p
    }

    func expected(_ rows: [Int]) -> [Float] { rows.flatMap { r in (0..<n).map { value(r, $0) } } }

    func testRangeBlocksAndListedRows() throws {
        let p = try writeFile(trials: true)
        let reader = try ResponseRows(path: p, trials: true)
        defer { reader.close() }
        let (y, t) = try reader.read(1..<4)
        XCTAssertTrue(sameValues(y, expected([1, 2, 3])))
        XCTAssertEqual(t, [2, 3, 4, 3, 4, 5, 4, 5, 6])

        var seen: [Range<Int>] = [], all: [Float] = [], trials: [Int32] = []
        try reader.forEachBlock(rowsPerBlock: 2) { block, y, t in
            XCTAssertEqual(y.count, block.count * 3)
            seen.append(block); all += y; trials += t!
        }
        XCTAssertEqual(seen, [0..<2, 2..<4, 4..<5])
        XCTAssertTrue(sameValues(all, expected(Array(0..<5))))
        XCTAssertEqual(trials.count, 15)
        XCTAssertEqual(trials.last, 7)

        var part: [Range<Int>] = []
        try reader.forEachBlock(3..<5, rowsPerBlock: 4) { block, _, _ in part.append(block) }
        XCTAssertEqual(part, [3..<5])

        let listed = try reader.rows([4, 0, 4, 2])
        XCTAssertTrue(sameValues(listed.responses, expected([4, 0, 4, 2])))
        XCTAssertEqual(Array(listed.trials![0..<3]), [5, 6, 7])
        assertStoreError([p, "/responses", "row 5 requested", "5 rows"]) { try reader.rows([5]) }
    }

    func testTrialsAreOptionalAndRequiredOnlyWhenAsked() throws {
        let p = try writeFile(trials: false)
        let reader = try ResponseRows(path: p)
        defer { reader.close() }
        XCTAssertNil(try reader.read(0..<2).trials)
        assertStoreError([p, "/trials", "missing", "pass@k needs counts"]) {
            try ResponseRows(path: p, info: reader.info, trials: true, why: "pass@k needs counts")
        }
        XCTAssertEqual(ResponseRows.blockRows(items: 1 << 20), 4)
        XCTAssertEqual(ResponseRows.blockRows(items: 1 << 30), 1)
    }

    func testBenchmarkIndexByFirstAppearance() {
        let b = BenchmarkIndex(itemBenchmarks: ["mmlu", "arc", "mmlu", "gsm8k", "arc"])
        XCTAssertEqual(b.names, ["mmlu", "arc", "gsm8k"])
        XCTAssertEqual(b.ofItem, [0, 1, 0, 2, 1])
        XCTAssertEqual(b.itemsOf, [[0, 2], [1, 4], [3]])
        XCTAssertEqual(BenchmarkIndex(itemBenchmarks: []).count, 0)
    }
}
