import Foundation
import Ingest
import Store
import XCTest

/// `irsl ingest opencompass` on the real MMLU abstract_algebra runs and on
/// small work directories with shards and per-example details.
final class OpenCompassIngestTests: IngestTestCase {
    static let root = data("harness-exports/opencompass")

    /// Each model's mean equals the results file's accuracy / 100 (30, 34, 36 %), to 1e-9.
    func testRealRunsMatchTheirAccuracy() throws {
        var notes: [String] = []
        let out = path("oc.h5")
        try OpenCompassIngest(paths: [OpenCompassIngestTests.root], matrix: SampleMatrixIngest(output: out)).run(log: { notes.append($0) })
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.models, 3)
        XCTAssertEqual(info.items, 100)
        XCTAssertEqual(info.kind, .binary)
        XCTAssertEqual(Set(info.floor ?? []), [0.25])  // four labels A-D
        let file = try H5File(out, mode: .readOnly)
        defer { file.close() }
        var row = [Float](repeating: 0, count: 100)
        let expected = ["16-bit": 0.30, "8-bit": 0.34, "4-bit": 0.36]
        for (m, name) in info.modelNames.enumerated() {
            try row.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.responses, rowStart: m, rowCount: 1, into: $0) }
            let bits = try XCTUnwrap(expected.keys.first { name.hasSuffix($0 + "-quantized") }, name)
            XCTAssertEqual(row.reduce(0) { $0 + Double($1) } / 100, expected[bits]!, accuracy: 1e-9, name)
        }
        XCTAssertEqual(notes.filter { $0.contains("the harness's accuracy / 100") }.count, 3)
    }

    /// Shards `<abbr>_0`, `<abbr>_1` continue the index; details with n values are n trials.
    func testShardsAndDetails() throws {
        try write("w/predictions/m/ds_0.json", #"{"0": {"prediction": "A", "gold": "A"}, "1": {"prediction": "B", "gold": "A"}}"#)
        try write("w/predictions/m/ds_1.json", #"{"0": {"prediction": "C", "gold": "C"}}"#)
        try write("w/predictions/m/other.json", #"{"0": {"prediction": "x", "gold": "y"}}"#)
        try write("w/results/m/other.json", #"{"accuracy": 50.0, "details": [{"correct": [true, false]}]}"#)
        let out = path("w.h5")
        let summary = try OpenCompassIngest(paths: [directory.appendingPathComponent("w").path],
                                            matrix: SampleMatrixIngest(output: out)).run()
        XCTAssertEqual(summary.kind, .proportion)
        let info = try ResponseFileInfo.read(out)
        XCTAssertEqual(info.itemIDs, ["ds/0", "ds/1", "ds/2", "other/0"])
        let file = try H5File(out, mode: .readOnly)
        defer { file.close() }
        var row = [Float](repeating: 0, count: 4), trials = [Int32](repeating: 0, count: 4)
        try row.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.responses, rowStart: 0, rowCount: 1, into: $0) }
        try trials.withUnsafeMutableBufferPointer { try file.readRows(ResponseLayout.trials, rowStart: 0, rowCount: 1, into: $0) }
        XCTAssertEqual(row, [1, 0, 1, 0.5])
        XCTAssertEqual(trials, [1, 1, 1, 2])

        try write("bad/predictions/m/ds.json", #"{"0": {"gold": "A"}}"#)
        assertThrows(["ds.json", "\"0\"", "prediction: missing"]) {
            try OpenCompassIngest(paths: [directory.appendingPathComponent("bad").path], matrix: SampleMatrixIngest(output: path("bad.h5"))).run()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5")))
    }
}
