import Foundation
import Ingest
import Store
import XCTest

/// Paths to the shared real data, and a scratch directory per test.
class IngestTestCase: XCTestCase {
    var directory: URL!

    /// The package root: this file is <root>/Tests/IngestTests/TestSupport.swift.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `<root>/../shared/data/<relative>`.
    static func data(_ relative: String) -> String {
        packageRoot.appendingPathComponent("../shared/data").appendingPathComponent(relative).standardizedFileURL.path
    }

    static var harnessRoot: String { data("lm-eval-harness") }
    static var pythiaDirectory: String { data("lm-eval-harness/EleutherAI__pythia-14m") }
    static var leaderboard: String { data("open-llm-leaderboard/data_v2.csv") }
    static var lowerBounds: String { data("open-llm-leaderboard/lower_bounds.csv") }

    /// The real samples files, sorted by name.
    static var pythiaFiles: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: pythiaDirectory))?
            .filter { $0.hasSuffix(".jsonl") }.sorted()
            .map { (pythiaDirectory as NSString).appendingPathComponent($0) } ?? []
    }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("irsl-ingest-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        XCTAssertFalse(IngestTestCase.pythiaFiles.isEmpty, "the shared data is missing: \(IngestTestCase.pythiaDirectory)")
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `text` to a file in the scratch directory (creating parent directories).
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The lines of a text file (without the final empty one).
    static func lines(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// A line parsed by Foundation's JSONSerialization: an independent parser to check ours against.
    static func json(_ line: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    /// A JSON scalar that may be written as a string ("-3.37") or a number.
    static func double(_ value: Any?) -> Double? {
        if let n = value as? NSNumber { return n.doubleValue }
        if let s = value as? String { return Double(s) }
        return nil
    }

    /// The task of a real file name (`samples_<task>_<timestamp>.jsonl`), cut by hand.
    static func task(of path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let stem = name.dropFirst("samples_".count).dropLast(".jsonl".count)
        return String(stem[..<stem.range(of: "_2024-")!.lowerBound])
    }

    /// Asserts that `body` throws an error whose description contains every fragment.
    func assertThrows<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> T) {
        do {
            _ = try body()
            XCTFail("expected an error containing \(fragments)", file: file, line: line)
        } catch {
            let text = "\(error)"
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "\"\(text)\" does not contain \"\(fragment)\"", file: file, line: line)
            }
        }
    }

    /// Parses one line with our parser.
    static func parse(_ line: String, task: String, lengths: Bool = false) throws -> HarnessRecord {
        var parser = HarnessRecordParser(task: task, readsContinuationLengths: lengths)
        var bytes = Array(line.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try parser.parse(UnsafeBufferPointer($0)) }
    }

    /// Rewrites a real model directory as another model's export, the way a
    /// different exporter would: every line re-serialised by JSONSerialization
    /// (numbers as numbers, "/" escaped as "\/", other escaping), log-likelihoods
    /// shifted by `shift(k)` for choice k, and acc recomputed. `keep` selects files.
    func variant(_ model: String, shift: @escaping (Int, Int) -> Double = { _, _ in 0 },
                 keep: (String) -> Bool = { _ in true }, edit: ((inout [String: Any], Int) -> Void)? = nil) throws -> String {
        let dir = directory.appendingPathComponent("variants/\(model)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for source in IngestTestCase.pythiaFiles where keep(source) {
            let task = IngestTestCase.task(of: source)
            var out = ""
            for (index, line) in try IngestTestCase.lines(source).enumerated() {
                var object = try IngestTestCase.json(line)
                if let pairs = object["filtered_resps"] as? [[Any]] {
                    let lls = pairs.enumerated().map { k, pair in IngestTestCase.double(pair[0])! + shift(index, k) }
                    object["filtered_resps"] = lls.map { [$0, false] as [Any] }
                    object["resps"] = lls.map { [[$0, false] as [Any]] }
                    let gold: Int
                    if task.contains("winogrande") {
                        gold = Int((object["doc"] as! [String: Any])["answer"] as! String)! - 1
                    } else if task.contains("truthfulqa") {
                        gold = 0
                    } else {
                        gold = Int(object["target"] as! String)!
                    }
                    let best = lls.indices.max { lls[$0] < lls[$1] || (lls[$0] == lls[$1] && $0 > $1) }!
                    object["acc"] = best == gold ? 1.0 : 0.0
                }
                edit?(&object, index)
                out += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
            }
            try Data(out.utf8).write(to: dir.appendingPathComponent((source as NSString).lastPathComponent))
        }
        return dir.path
    }
}
