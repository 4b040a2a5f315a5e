import Foundation
import Store
import XCTest

/// Bad input: one clear message naming the file, the dataset or field and
/// what was expected; a non-zero exit on every rank (never a hang); no output.
final class BadInputTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        dir = try Launcher.temporaryDirectory()
    }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A small valid response file, written dataset by dataset so that each
    /// test can break exactly one thing.
    struct Layout {
        var models = 6
        var items = 8
        var names: [String]? = nil
        var ids: [String]? = nil
        var kind = "probability"
        var responses: [Float]? = nil
        var trials: [Int32]? = nil
        var trialsShape: (Int, Int)? = nil
        var responsesAsStrings = false
        var responsesOneDimensional = false
        var omitResponses = false
    }

    func write(_ name: String, _ layout: Layout) throws -> String {
        let p = path(name)
        let f = try H5File(p, mode: .truncate)
        defer { f.close() }
        let m = layout.models, n = layout.items
        try f.write("/models/name", strings: layout.names ?? (0..<m).map { "model\($0)" })
        try f.write("/items/id", strings: layout.ids ?? (0..<n).map { "q\($0)" })
        try f.write("/items/benchmark", strings: (0..<n).map { "b\($0 % 2)" })
        try f.setAttribute("response_kind", layout.kind)
        var values: [Float] = layout.responses ?? (0..<(m * n)).map { i -> Float in
            let step = Double((i * 7919) % 97)
            return Float(0.1 + 0.8 * step / 97)
        }
        if layout.responsesAsStrings {
            try f.write("/responses", strings: values.map { "\($0)" })
        } else if layout.responsesOneDimensional {
            try f.write("/responses", doubles: values.map(Double.init))
        } else if !layout.omitResponses {
            try f.createMatrix("/responses", type: .float32, rows: m, cols: n, chunkRows: 2)
            try values.withUnsafeBufferPointer { try f.writeRows("/responses", rowStart: 0, rowCount: m, floats: $0) }
        }
        if let t = layout.trials {
            let (r, c) = layout.trialsShape ?? (m, n)
            try f.createMatrix("/trials", type: .int32, rows: r, cols: c, chunkRows: 2)
            try t.withUnsafeBufferPointer { try f.writeRows("/trials", rowStart: 0, rowCount: r, ints: $0) }
        }
        values.removeAll()
        return p
    }

    /// Runs `irsl fit` on 2 ranks and checks the failure contract.
    @discardableResult
    func assertRefused(_ input: String, _ expected: [String], extra: [String] = [], ranks: Int = 2,
                       output: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Launcher.Result {
        let out = output ?? path("out-\(UUID().uuidString).h5")
        // Every rank must stop within 30 s: a job still running then is stopped, and fails the test.
        let r = try Launcher.mpirun(ranks, ["fit", input, "--output", out] + extra, timeout: 30)
        XCTAssertNotEqual(r.status, 0, "expected a failure", file: file, line: line)
        XCTAssertFalse(r.timedOut, "the job hung until the 30 s timeout", file: file, line: line)
        for text in expected {
            XCTAssertTrue(r.stderr.contains(text), "stderr lacks '\(text)':\n\(r.stderr)", file: file, line: line)
        }
        if output == nil {
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "output written", file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".abilities.csv"), file: file, line: line)
        }
        return r
    }

    func testTheValidLayoutFits() throws {
        let input = try write("valid.h5", Layout())
        let r = try Launcher.mpirun(2, ["fit", input, "--output", path("valid-fit.h5")], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testNotHDF5() throws {
        let p = path("text.h5")
        try "model,q1\nm,0.5\n".write(toFile: p, atomically: true, encoding: .utf8)
        try assertRefused(p, [p])
    }

    func testResponsesMissingWrongRankWrongType() throws {
        var layout = Layout(); layout.omitResponses = true
        try assertRefused(try write("none.h5", layout), ["none.h5", "/responses"])
        layout = Layout(); layout.responsesOneDimensional = true
        try assertRefused(try write("flat.h5", layout), ["flat.h5", "/responses", "2-D"])
        layout = Layout(); layout.responsesAsStrings = true
        try assertRefused(try write("strings.h5", layout), ["strings.h5", "/responses"])
    }

    func testValuesOutsideUnitIntervalOrInfinite() throws {
        for (name, bad) in [("high.h5", Float(1.5)), ("negative.h5", Float(-0.2)), ("inf.h5", Float.infinity)] {
            var layout = Layout()
            var values = [Float](repeating: 0.5, count: 48)
            values[5 * 8 + 3] = bad
            values[0] = 0.2; values[9] = 0.7
            layout.responses = values
            try assertRefused(try write(name, layout), [name, "/responses", "[5, 3]", "expected a value in [0, 1]"])
        }
    }

    func testTrialsShapeMismatchAndZeroTrials() throws {
        var layout = Layout(); layout.kind = "proportion"
        layout.trials = [Int32](repeating: 10, count: 6 * 7); layout.trialsShape = (6, 7)
        try assertRefused(try write("trials-shape.h5", layout), ["trials-shape.h5", "/trials"])
        layout = Layout(); layout.kind = "proportion"
        var trials = [Int32](repeating: 10, count: 48)
        trials[2 * 8 + 1] = 0
        layout.trials = trials
        try assertRefused(try write("trials-zero.h5", layout), ["trials-zero.h5", "/trials", "[2, 1]", "positive trial count"])
    }

    func testEmptyRowAndEmptyColumn() throws {
        var layout = Layout()
        var values: [Float] = (0..<48).map { i -> Float in Float(0.1 + 0.01 * Double(i)) }
        for j in 0..<8 { values[4 * 8 + j] = .nan }
        layout.responses = values
        try assertRefused(try write("row.h5", layout), ["row.h5", "model4", "no observed entry"])
        values = (0..<48).map { i -> Float in Float(0.1 + 0.01 * Double(i)) }
        for r in 0..<6 { values[r * 8 + 6] = .nan }
        layout.responses = values
        try assertRefused(try write("column.h5", layout), ["column.h5", "q6", "no observed entry"])
    }

    /// An item every model answers alike is fitted with the ridge and reported, not refused.
    func testConstantItemIsFittedAndReported() throws {
        var layout = Layout(); layout.kind = "binary"
        var values: [Float] = (0..<48).map { i -> Float in (i * 31 + i / 8) % 3 == 0 ? 1 : 0 }
        for r in 0..<6 { values[r * 8 + 2] = 1 }
        layout.responses = values
        let out = path("constant-fit.h5")
        let r = try Launcher.mpirun(2, ["fit", try write("constant.h5", layout), "--output", out], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("same response from every model") && r.stdout.contains("'q2'"), r.stdout)
        let fit = try FitResult.read(out)
        XCTAssertTrue(fit.a[2].isFinite && abs(fit.a[2]) < 0.5, "a = \(fit.a[2])")
        XCTAssertEqual(fit.d[2], fit.d.max()!)
    }

    func testDuplicateIdsAndWrongNameCount() throws {
        var layout = Layout(); layout.names = ["a", "b", "c", "b", "e", "f"]
        try assertRefused(try write("dupmodel.h5", layout), ["dupmodel.h5", "/models/name", "duplicate id 'b'"])
        layout = Layout(); layout.ids = ["q0", "q1", "q2", "q3", "q4", "q5", "q6", "q0"]
        try assertRefused(try write("dupitem.h5", layout), ["dupitem.h5", "/items/id", "duplicate id 'q0'"])
        layout = Layout(); layout.names = ["a", "b", "c"]
        try assertRefused(try write("names.h5", layout), ["names.h5", "/models/name"])
    }

    func testMoreRanksThanModels() throws {
        var layout = Layout(); layout.models = 2
        try assertRefused(try write("tworows.h5", layout), ["tworows.h5", "3 ranks but only 2 models"], ranks: 3)
    }

    func testUnknownOptionAndConfigKey() throws {
        let input = try write("opts.h5", Layout())
        let r = try Launcher.mpirun(2, ["fit", input, "--output", path("o.h5"), "--max-iteration", "3"], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertNotEqual(r.status, 124)
        XCTAssertTrue(r.stderr.contains("--max-iteration"), r.stderr)
        let cfg = path("bad.toml")
        try "[fit]\ndimz = 2\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        try assertRefused(input, [cfg, "unknown key 'dimz'"], extra: ["--config", cfg])
        try "[fit]\ndims = \"two\"\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        try assertRefused(input, [cfg, "'dims'"], extra: ["--config", cfg])
    }

    /// Configs on which toml++ (inside TOMLKit) aborts the process, found by
    /// fuzz/ConfigFuzz.swift and kept in Tests/fuzz-regressions/config/: on
    /// every rank a clear error naming the file, never a crash.
    func testConfigsThatAbortTheTOMLParserAreErrors() throws {
        let input = try write("toml.h5", Layout())
        let regressions = Launcher.packageRoot.appendingPathComponent("Tests/fuzz-regressions/config")
        for name in ["toml-header-without-key.toml", "toml-value-terminator-in-array.toml"] {
            let cfg = regressions.appendingPathComponent(name).path
            let r = try assertRefused(input, [cfg, "not valid TOML"], extra: ["--config", cfg])
            XCTAssertFalse(r.stderr.contains("Assertion") || r.stderr.contains("Program crashed"), "\(name): \(r.stderr)")
        }
    }

    func testOutputDirectoryMissingAndExistingOutput() throws {
        let input = try write("outs.h5", Layout())
        let nowhere = path("no/such/dir/fit.h5")
        try assertRefused(input, ["no/such/dir", "does not exist"], output: nowhere)
        let existing = path("existing.h5")
        try "keep me".write(toFile: existing, atomically: true, encoding: .utf8)
        try assertRefused(input, [existing, "already exists", "--overwrite"], output: existing)
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "keep me")
        let r = try Launcher.mpirun(2, ["fit", input, "--output", existing, "--overwrite"], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNoThrow(try FitResult.read(existing))
    }
}
