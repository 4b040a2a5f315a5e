import Foundation
import Ingest
import XCTest

/// `JSONObjectReader` streams a top-level JSON object, keeping only what
/// its routes and member filter ask for; Inspect `.json` logs and
/// OpenCompass predictions and results are read through it.
final class JSONObjectReaderTests: IngestTestCase {
    typealias Kept = [String]

    /// Every kept value as "key item: json".
    func kept(_ file: String, bufferSize: Int, route: (String) -> JSONObjectReader.Route, keep: (String) -> Bool) throws -> Kept {
        var out: Kept = []
        try JSONObjectReader(path: file, bufferSize: bufferSize).read(route: route, keep: keep) { key, item, json in
            out.append("\(key) \(item ?? "-"): \(String(decoding: json, as: UTF8.self))")
        }
        return out
    }

    static let log = """
    {
      "version": 2,
      "eval": {"task": "t", "model": "m/x"},
      "plan": {"steps": ["\(String(repeating: "p", count: 50))"]},
      "samples": [
        {"id": 1, "messages": [{"content": "\(String(repeating: "long \\\"quoted\\\" ", count: 20))"}], "epoch": 1,
         "scores": {"s": {"value": NaN}}},
        {"id": "a/b" , "error" : null,"epoch":2},
        7
      ],
      "rows": {"0": {"prediction": "A", "origin_prompt": "\(String(repeating: "q", count: 40))", "gold": "A"}, "1": "x"},
      "tail": [1, 2.5e3, {"k": [true, false]}]
    }
    """

    /// Kept values are the file's own bytes, skipped ones never reach the
    /// caller, whatever the buffer size (tokens cut at every boundary).
    func testRoutesKeepWhatIsAskedAtEveryBufferSize() throws {
        let file = try write("log.json", Self.log)
        let route: (String) -> JSONObjectReader.Route = { key in
            switch key {
            case "samples", "rows": return .items
            case "version", "eval": return .whole
            case "tail": return .filtered
            default: return .skip
            }
        }
        let keep: (String) -> Bool = { ["id", "epoch", "scores", "error", "prediction", "gold"].contains($0) }
        let expected = [
            #"version -: 2"#,
            #"eval -: {"task": "t", "model": "m/x"}"#,
            #"samples 0: {"id":1,"epoch":1,"scores":{"s": {"value": NaN}}}"#,
            #"samples 1: {"id":"a/b","error":null,"epoch":2}"#,
            #"samples 2: 7"#,
            #"rows 0: {"prediction":"A","gold":"A"}"#,
            #"rows 1: "x""#,
            #"tail -: [1, 2.5e3, {"k": [true, false]}]"#,
        ]
        for size in [16, 17, 19, 23, 31, 64, 4096] {
            XCTAssertEqual(try kept(file, bufferSize: size, route: route, keep: keep), expected, "buffer \(size)")
        }
        // Every kept item decodes on its own.
        var ids: [JSONValue] = []
        try JSONObjectReader(path: file, bufferSize: 16).read(route: { $0 == "samples" ? .items : .skip }, keep: keep) { _, _, json in
            if case .object(let o) = try JSONDocument.decode(JSONValue.self, from: json, file: file), let id = o["id"] { ids.append(id) }
        }
        XCTAssertEqual(ids, [.int(1), .string("a/b")])
    }

    /// Malformed files are errors naming the file, the item and the byte, at any buffer size; none hangs.
    func testMalformedObjectsAreErrors() throws {
        let cases: [(String, [String])] = [
            (#"{"samples": [{"id": 1}, {"id": tru}]}"#, ["samples[1]", "true, false or null"]),
            (#"{"rows": {"0": {"gold": "A"}, "1": {"gold": "B}}}"#, ["rows \"1\"", "unterminated string"]),
            (#"{"samples": [{"id": 1} {"id": 2}]}"#, ["samples[0]", "',' or ']'"]),
            (#"{"version": 2} x"#, ["after the end of the object"]),
            (#"{"version" 2}"#, ["':'"]),
            (#"[1, 2]"#, ["'{'"]),
            (#"{"samples": [1, 2"#, ["samples[1]", "end"]),
            ("", ["end"]),
        ]
        for (k, (text, fragments)) in cases.enumerated() {
            let file = try write("bad\(k).json", text + String(repeating: " ", count: k * 5))
            for size in [16, 4096] {
                assertThrows(["bad\(k).json", "malformed JSON", "at byte"] + fragments) {
                    try kept(file, bufferSize: size, route: { $0 == "version" ? .whole : .items }, keep: { _ in true })
                }
            }
        }
    }
}
