import Foundation
import Store
import XCTest

/// Helpers for the scaling-law CLI tests: a temporary directory, irsl runs
/// that must succeed, and a reader for the CSVs the commands write.
class ScalingLawCLITestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }   // nil when set-up skipped
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Runs irsl and fails the test unless it exits 0.
    @discardableResult
    func irsl(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Launcher.Result {
        let r = try Launcher.irsl(arguments, timeout: 300)
        XCTAssertEqual(r.status, 0, "irsl \(arguments.joined(separator: " ")): \(r.stderr)", file: file, line: line)
        return r
    }

    /// simulate + fit; returns (responses, fit).
    func simulateAndFit(_ name: String, _ simulate: [String], fit: [String] = []) throws -> (String, String) {
        let data = path("\(name).h5"), out = path("\(name)-fit.h5")
        try irsl(["simulate", "--output", data] + simulate)
        try irsl(["fit", data, "--output", out] + fit)
        return (data, out)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

/// A CSV read into rows of named fields (RFC 4180 quoting; empty cell → NaN for numbers).
struct CSVRows {
    let header: [String]
    let rows: [[String]]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false
        var chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" { if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false } }
                else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { record.append(field); field = "" }
            else if c == "\n" { record.append(field); records.append(record); record = []; field = "" }
            else { field.append(c) }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        chars = []
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    func strings(_ name: String) -> [String] {
        guard let c = column(name) else { return [] }
        return rows.map { $0[c] }
    }

    func numbers(_ name: String) -> [Double] {
        strings(name).map { Double($0) ?? .nan }
    }
}

/// Accuracy of one method's forecasts in a backtest CSV, computed here
/// independently of irsl's own tables.
struct MethodAccuracy {
    var mae: Double
    var coverage: Double
    var count: Int

    init(observed: [Double], predicted: [Double], lower: [Double], upper: [Double]) {
        count = observed.count
        mae = zip(observed, predicted).map { abs($0 - $1) }.reduce(0, +) / Double(count)
        coverage = Double((0..<count).filter { observed[$0] >= lower[$0] && observed[$0] <= upper[$0] }.count) / Double(count)
    }

    /// The baseline whose columns are `<prefix>`, `<prefix>_lower`, `<prefix>_upper`.
    init(_ csv: CSVRows, prefix: String) {
        self.init(observed: csv.numbers("observed"), predicted: csv.numbers(prefix),
                  lower: csv.numbers(prefix + "_lower"), upper: csv.numbers(prefix + "_upper"))
    }

    /// The three methods of a backtest CSV: law, FLOPs only, family + FLOPs.
    static func all(_ csv: CSVRows, rows keep: [Int]? = nil) -> (law: MethodAccuracy, flops: MethodAccuracy, family: MethodAccuracy) {
        let idx = keep ?? Array(csv.rows.indices)
        func pick(_ name: String) -> [Double] { let v = csv.numbers(name); return idx.map { v[$0] } }
        let observed = pick("observed")
        return (MethodAccuracy(observed: observed, predicted: pick("predicted"), lower: pick("lower"), upper: pick("upper")),
                MethodAccuracy(observed: observed, predicted: pick("flops_only"), lower: pick("flops_only_lower"), upper: pick("flops_only_upper")),
                MethodAccuracy(observed: observed, predicted: pick("family_flops"), lower: pick("family_flops_lower"), upper: pick("family_flops_upper")))
    }
}
