import Foundation
import XCTest

/// `irsl select`, `score`, `cat`, `items` and `evaluate-subset`, run as a user would.
final class SelectionCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }   // nil when set-up skipped
    }

    func file(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    func irsl(_ arguments: [String], succeeds: Bool = true, line: UInt = #line) throws -> Launcher.Result {
        let r = try Launcher.irsl(arguments, timeout: 120)
        if succeeds {
            XCTAssertEqual(r.status, 0, "irsl \(arguments.joined(separator: " ")): \(r.stderr)", line: line)
        } else {
            XCTAssertNotEqual(r.status, 0, "irsl \(arguments.joined(separator: " ")) should fail", line: line)
        }
        return r
    }

    /// Header and records of a CSV written by irsl (no quoted fields in these files).
    func csv(_ path: String) throws -> (header: String, rows: [[String]]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.last, "", "\(path) ends with a newline")
        return (String(lines[0]), lines.dropFirst().filter { !$0.isEmpty }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })
    }

    /// 300 models × 900 items in 3 benchmarks, and its fit.
    func simulateAndFit(_ response: String, models: Int = 300) throws -> (data: String, fit: String) {
        let data = file("\(response).h5"), fit = file("\(response)-fit.h5")
        try irsl(["simulate", "--models", String(models), "--items", "900", "--benchmarks", "3", "--response", response,
                  "--seed", "13", "--output", data])
        try irsl(["fit", data, "--output", fit])
        return (data, fit)
    }

    func testSelectScoreCatAndItems() throws {
        let (data, fit) = try simulateAndFit("beta")

        let subset = file("subset.csv")
        let s = try irsl(["select", fit, "--per-benchmark", "8", "--output", subset])
        XCTAssertTrue(s.stdout.contains("expected SE of θ"), s.stdout)
        let chosen = try csv(subset)
        XCTAssertEqual(chosen.header, "item,benchmark,a,d,g,info")
        XCTAssertEqual(chosen.rows.count, 24)
        for b in ["bench0", "bench1", "bench2"] { XCTAssertEqual(chosen.rows.filter { $0[1] == b }.count, 8) }
        XCTAssertTrue(chosen.rows.allSatisfy { Double($0[2])! > 0 && Double($0[5])! > 0 })
        for method in ["stratified", "random"] {
            try irsl(["select", fit, "--per-benchmark", "5", "--method", method, "--seed", "3", "--ability", "-1:2", "--output", file("\(method).csv")])
            XCTAssertEqual(try csv(file("\(method).csv")).rows.count, 15)
        }

        let scores = file("scores.csv")
        let sc = try irsl(["score", fit, data, "--items", subset, "--level", "0.8", "--output", scores])
        XCTAssertTrue(sc.stdout.contains("were in the fit"), sc.stdout)
        let scored = try csv(scores)
        XCTAssertEqual(scored.header, "model,benchmark,estimate,lower,upper,theta,theta_se,items_used")
        XCTAssertEqual(scored.rows.count, 300 * 3)
        for row in scored.rows {
            let (e, lo, hi) = (Double(row[2])!, Double(row[3])!, Double(row[4])!)
            XCTAssertTrue(0 <= lo && lo <= e && e <= hi && hi <= 1, "\(row)")
            XCTAssertEqual(Int(row[7]), 8)
            XCTAssertGreaterThan(Double(row[6])!, 0)
        }
        try irsl(["score", fit, data, "--estimator", "mle", "--output", file("scores-mle.csv")])
        XCTAssertEqual(try csv(file("scores-mle.csv")).rows.count, 900)

        let cat = file("cat.csv")
        let c = try irsl(["cat", fit, data, "--start", "3", "--max-items", "12", "--se-target", "0.2", "--output", cat])
        XCTAssertTrue(c.stdout.contains("stopped:"), c.stdout)
        let adaptive = try csv(cat)
        XCTAssertEqual(adaptive.header, "model,benchmark,estimate,lower,upper,theta,theta_se,items_used,total_items,stop")
        XCTAssertEqual(adaptive.rows.count, 900)
        for row in adaptive.rows {
            let total = Int(row[8])!
            XCTAssertLessThanOrEqual(total, 12)
            XCTAssertTrue(["se_target", "budget", "exhausted"].contains(row[9]), row[9])
            if row[9] == "se_target" { XCTAssertLessThanOrEqual(Double(row[6])!, 0.2) }
            if row[9] == "budget" { XCTAssertEqual(total, 12); XCTAssertGreaterThan(Double(row[6])!, 0.2) }
        }

        let diagnostics = file("items.csv")
        let d = try irsl(["items", fit, "--responses", data, "--output", diagnostics])
        XCTAssertTrue(d.stdout.contains("negative_a") && d.stdout.contains("bench2"), d.stdout)
        XCTAssertTrue(d.stdout.contains("300 models with the fit's abilities"), d.stdout)
        let items = try csv(diagnostics)
        XCTAssertEqual(items.header, "item,benchmark,a,d,g,b,a_se,d_se,mean_response,observations,infit,outfit,infit_z,outfit_z,flags")
        XCTAssertEqual(items.rows.count, 900)
        XCTAssertTrue(items.rows.allSatisfy { Int($0[9]) == 300 && Double($0[11]) != nil })
        try irsl(["items", fit, "--output", file("items-parameters.csv")])
        XCTAssertTrue(try csv(file("items-parameters.csv")).rows.allSatisfy { $0[9].isEmpty && $0[11].isEmpty })
    }

    func testEvaluateSubsetComparesMethods() throws {
        let data = file("bern.h5")
        try irsl(["simulate", "--models", "400", "--items", "900", "--benchmarks", "3", "--response", "bernoulli", "--seed", "2", "--output", data])
        let split = file("split.csv")
        let rows = (0..<400).map { "family\($0 % 10)-model\($0),\($0 % 4 == 0 ? "test" : "train")" }
        try (["model,role"] + rows).joined(separator: "\n").write(toFile: split, atomically: true, encoding: .utf8)
        let out = file("eval.csv")
        let r = try irsl(["evaluate-subset", data, "--split", split, "--per-benchmark", "15", "--repeats", "2", "--output", out])
        XCTAssertTrue(r.stdout.contains("300 train and 100 test models"), r.stdout)
        XCTAssertTrue(r.stdout.contains("random-15 (×2)") && r.stdout.contains("cat-45"), r.stdout)
        let table = try csv(out)
        XCTAssertEqual(table.header, "method,benchmark,rmse,mae")
        XCTAssertEqual(table.rows.count, 16)
        for method in ["fisher", "stratified", "random", "cat"] {
            let mine = table.rows.filter { $0[0] == method }
            XCTAssertEqual(mine.map { $0[1] }, ["bench0", "bench1", "bench2", "all"], method)
            for row in mine {
                let (rmse, mae) = (Double(row[2])!, Double(row[3])!)
                XCTAssertTrue(0 < mae && mae <= rmse && rmse < 0.15, "\(row)")
            }
        }
    }

    /// Errors name the file, the field and what was expected, exit non-zero
    /// and leave no output behind.
    func testErrorsNameFileAndFieldAndWriteNothing() throws {
        let (data, fit) = try simulateAndFit("bernoulli", models: 120)
        let out = file("out.csv")

        let badSplit = file("split.csv")
        try "model,role\nfamily0-model0,train\nfamily1-model1,holdout\n".write(toFile: badSplit, atomically: true, encoding: .utf8)
        var r = try irsl(["evaluate-subset", data, "--split", badSplit, "--per-benchmark", "5", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("split.csv") && r.stderr.contains("role") && r.stderr.contains("line 3") && r.stderr.contains("train or test"), r.stderr)

        try "model,part\nfamily0-model0,train\n".write(toFile: badSplit, atomically: true, encoding: .utf8)
        r = try irsl(["evaluate-subset", data, "--split", badSplit, "--per-benchmark", "5", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("split.csv") && r.stderr.contains("role") && r.stderr.contains("missing column"), r.stderr)

        let subset = file("subset.csv")
        try "item,benchmark\nbench0/q1,bench0\nnot-an-item,bench0\n".write(toFile: subset, atomically: true, encoding: .utf8)
        r = try irsl(["score", fit, data, "--items", subset, "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("subset.csv") && r.stderr.contains("not-an-item") && r.stderr.contains("line 3"), r.stderr)

        r = try irsl(["select", fit, "--per-benchmark", "5", "--method", "best", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("--method") && r.stderr.contains("'best'") && r.stderr.contains("'fisher', 'stratified' or 'random'"), r.stderr)
        r = try irsl(["score", fit, data, "--level", "1.5", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("--level"), r.stderr)
        r = try irsl(["cat", fit, data, "--max-items", "0", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("--max-items"), r.stderr)

        // A response file is not a fit; a two-dimensional fit is not supported.
        r = try irsl(["select", data, "--per-benchmark", "5", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("bernoulli.h5") && r.stderr.contains("/models/theta"), r.stderr)
        let fit2 = file("fit2.h5")
        try irsl(["fit", data, "--dims", "2", "--max-iterations", "30", "--output", fit2])
        r = try irsl(["cat", fit2, data, "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("fit2.h5") && r.stderr.contains("K = 1") && r.stderr.contains("K = 2"), r.stderr)

        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a failed command left \(out)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }
}
