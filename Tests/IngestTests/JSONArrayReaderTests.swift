import Foundation
import Ingest
import XCTest

/// `JSONArrayReader` streams a top-level JSON array through a buffer that
/// elements straddle; `HelmInstanceStats` scans HELM's per_instance_stats.json with it.
final class JSONArrayReaderTests: IngestTestCase {
    static let helm = data("harness-exports/helm/evaleval__every_eval_ever/tests/data/helm")

    /// Each element's text re-parsed whole, for comparison.
    func elements(_ file: String, bufferSize: Int) throws -> [String] {
        var out: [String] = []
        try JSONArrayReader(path: file, bufferSize: bufferSize).forEachElement({ s -> String in
            s.skipWhitespace()
            let start = s.position
            try s.skipValue()
            return String(decoding: UnsafeBufferPointer(start: s.base + start, count: s.position - start), as: UTF8.self)
        }) { text, index in
            XCTAssertEqual(index, out.count)
            out.append(text)
        }
        return out
    }

    /// Tokens cut at every buffer boundary (numbers, literals, escaped strings) read as a whole.
    func testElementsStraddlingTheBufferReadWhole() throws {
        let values = [#"12345"#, #"-0.125e-3"#, #"true"#, #"null"#, #""ab\"c\\""#, #"{"k": [1, 2, {"x": "y"}]}"#, #"NaN"#, #"false"#,
                      #"[]"#, #"{}"#, #""""#, #"6"#]
        let file = try write("a.json", "  [\n" + values.joined(separator: " ,\n  ") + "\n]\n ")
        for size in [16, 17, 19, 23, 32, 64, 4096] {
            XCTAssertEqual(try elements(file, bufferSize: size), values, "buffer \(size)")
        }
        XCTAssertEqual(try elements(try write("empty.json", "[]"), bufferSize: 16), [])
    }

    /// Malformed files are errors naming the element and the byte, at any buffer size; none hangs.
    func testMalformedArraysAreErrors() throws {
        let cases: [(String, [String])] = [
            (#"[1, 2"#, ["[2]", "end"]),
            (#"[1, 2,, 3]"#, ["[2]", "expected a value"]),
            (#"[1, {"a": tru}]"#, ["[1]", "true, false or null"]),
            (#"[1, "abc]"#, ["[1]", "unterminated string"]),
            (#"[1] x"#, ["after the end of the array"]),
            (#"{"a": 1}"#, ["'['"]),
            ("", ["end"]),
        ]
        for (k, (text, fragments)) in cases.enumerated() {
            let file = try write("bad\(k).json", text + String(repeating: " ", count: k * 7))
            for size in [16, 4096] {
                assertThrows(["malformed JSON", "at byte"] + fragments) { try elements(file, bufferSize: size) }
            }
        }
    }

    /// The streamed scan of real per_instance_stats.json files equals JSONSerialization's reading of them, at any buffer size.
    func testHelmStatsMatchAFullDecodeAtEveryBufferSize() throws {
        for dir in try HelmIngest.discover([JSONArrayReaderTests.helm]) {
            let file = dir + "/per_instance_stats.json"
            let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [[String: Any]]
            for metric in ["exact_match", "f1_score"] {
                var expected: [String] = []
                for entry in entries where entry["perturbation"] == nil {
                    for stat in entry["stats"] as! [[String: Any]] {
                        let name = stat["name"] as! [String: Any]
                        guard name["name"] as! String == metric, name["perturbation"] == nil else { continue }
                        expected.append("\(name["split"] as? String ?? "test")/\(entry["instance_id"] as! String)=\((stat["mean"] as! NSNumber).doubleValue)")
                    }
                }
                for size in [16, 100, 1000, 4 << 20] {
                    let stats = try HelmInstanceStats.read(file, metrics: [metric], bufferSize: size)
                    let got = stats.samples.map { "\(stats.splits[Int($0.split)])/\(stats.instanceIDs[Int($0.instance)])=\($0.mean)" }
                    XCTAssertEqual(got, expected, "\(file) \(metric) buffer \(size)")
                    XCTAssertEqual(stats.entries, entries.count)
                }
            }
        }
    }

    /// A cut or damaged stats file is an error naming the file and the entry, never a partial run.
    func testDamagedHelmStatsAreNamed() throws {
        let source = try HelmIngest.discover([JSONArrayReaderTests.helm]).first { $0.contains("mmlu") }!
        let text = try String(contentsOfFile: source + "/per_instance_stats.json", encoding: .utf8)
        let dir = directory.appendingPathComponent("run").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source + "/run_spec.json", toPath: dir + "/run_spec.json")
        try write("run/per_instance_stats.json", String(text.prefix(text.utf8.count / 2)))
        assertThrows(["per_instance_stats.json", "malformed JSON", "[", "at byte"]) { try HelmRun.read(dir, metric: nil) }
        try write("run/per_instance_stats.json", #"[{"instance_id": 7, "stats": []}]"#)
        assertThrows(["per_instance_stats.json", "[0]", "instance_id", "expected a string"]) { try HelmRun.read(dir, metric: nil) }
    }
}
