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

        let rec = file("reconstruction.csv")
        let recRun = try irsl(["select", fit, "--per-benchmark", "6", "--responses", data, "--output", rec])
        XCTAssertTrue(recRun.stdout.contains("irsl select: auto") && recRun.stdout.contains("held-out RMSE")
                      && recRun.stdout.contains("discriminating"), "auto is the default with --responses: \(recRun.stdout)")
        let recRows = try csv(rec).rows
        XCTAssertEqual(recRows.count, 18)
        XCTAssertEqual(Set(recRows.map { $0[0] }).count, 18)
        for b in ["bench0", "bench1", "bench2"] { XCTAssertEqual(recRows.filter { $0[1] == b }.count, 6) }
        for method in ["reconstruction", "discriminating"] {
            let out = file("\(method)-rows.csv")
            try irsl(["select", fit, "--per-benchmark", "6", "--responses", data, "--method", method, "--output", out])
            XCTAssertEqual(Set(try csv(out).rows.map { $0[0] }).count, 18, method)
        }
        let noData = try irsl(["select", fit, "--per-benchmark", "6", "--method", "reconstruction", "--output", file("none.csv")], succeeds: false)
        XCTAssertTrue(noData.stderr.contains("--responses"), noData.stderr)
        let noDataAuto = try irsl(["select", fit, "--per-benchmark", "6", "--method", "auto", "--output", file("none.csv")], succeeds: false)
        XCTAssertTrue(noDataAuto.stderr.contains("--method auto") && noDataAuto.stderr.contains("--responses"), noDataAuto.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file("none.csv")))

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
        // Calibrated on the fit's own models (their full responses are in data): same layout, and the
        // interval is ± z × the benchmark's leave-one-out error, so its width is one value per benchmark.
        let calibrated = file("scores-calibrated.csv")
        let cs = try irsl(["score", fit, data, "--items", subset, "--train", data, "--output", calibrated])
        XCTAssertTrue(cs.stdout.contains("calibrated on the models of \(data)") && cs.stdout.contains("bench2: λ"), cs.stdout)
        let cal = try csv(calibrated)
        XCTAssertEqual(cal.rows.count, 900)
        for b in ["bench0", "bench1", "bench2"] {
            let widths = Set(cal.rows.filter { $0[1] == b }.compactMap { row -> Int? in
                let (e, lo, hi) = (Double(row[2])!, Double(row[3])!, Double(row[4])!)
                XCTAssertTrue(0 <= lo && lo <= e && e <= hi && hi <= 1, "\(row)")
                return lo > 0 && hi < 1 ? Int(((hi - lo) * 1e6).rounded()) : nil
            })
            XCTAssertEqual(widths.count, 1, "\(b): \(widths)")
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

        let scoreCat = file("cat-score.csv")
        let c2 = try irsl(["cat", fit, data, "--max-items", "200", "--score-se-target", "0.03", "--output", scoreCat])
        XCTAssertTrue(c2.stdout.contains("score_se_target"), c2.stdout)
        let stops = try csv(scoreCat).rows
        XCTAssertTrue(stops.contains { $0[9] == "score_se_target" })
        for row in stops where row[9] == "score_se_target" { XCTAssertLessThan(Int(row[8])!, 200) }

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
        let pairs = file("pairs.csv")
        try "model_a,model_b\nfamily0-model0,family4-model4\nfamily8-model8,family2-model12\n".write(toFile: pairs, atomically: true, encoding: .utf8)
        let r = try irsl(["evaluate-subset", data, "--split", split, "--per-benchmark", "15", "--repeats", "2", "--pairs", pairs, "--output", out])
        XCTAssertTrue(r.stdout.contains("300 train and 100 test models"), r.stdout)
        XCTAssertTrue(r.stdout.contains("random-15 (×2)") && r.stdout.contains("cat-45") && r.stdout.contains("reconstruction-15")
                      && r.stdout.contains("auto-15") && r.stdout.contains("auto: "), r.stdout)
        let table = try csv(out)
        XCTAssertEqual(table.header, "method,benchmark,rmse,mae,decision,listed_pairs")
        let methods = ["reconstruction", "discriminating", "auto", "fisher", "stratified", "random", "cat"]
        XCTAssertEqual(table.rows.count, 4 * 2 * methods.count)
        for method in methods.flatMap({ [$0, $0 + "-irt"] }) {
            let mine = table.rows.filter { $0[0] == method }
            XCTAssertEqual(mine.map { $0[1] }, ["bench0", "bench1", "bench2", "all"], method)
            for row in mine {
                let (rmse, mae, decision, listed) = (Double(row[2])!, Double(row[3])!, Double(row[4])!, Double(row[5])!)
                XCTAssertTrue(0 < mae && mae <= rmse && rmse < 0.15, "\(row)")
                // 100 test models of simulated abilities: most pairs are ordered right, never all by chance.
                XCTAssertTrue(0.7 < decision && decision <= 1, "\(row)")
                // Two pairs per benchmark decide in quarters (a tie counts ½); `all` pools six pairs.
                let step = row[1] == "all" ? 12.0 : 4.0
                XCTAssertEqual((listed * step).rounded(), listed * step, accuracy: 1e-9, "\(row)")
                XCTAssertTrue(0 <= listed && listed <= 1, "\(row)")
            }
        }
        // A pair naming a model that is not a test model: an error naming the file and column, no output.
        try "model_a,model_b\nfamily1-model1,family0-model0\n".write(toFile: pairs, atomically: true, encoding: .utf8)
        let bad = file("eval-bad.csv")
        let e = try irsl(["evaluate-subset", data, "--split", split, "--per-benchmark", "5", "--pairs", pairs, "--output", bad], succeeds: false)
        XCTAssertTrue(e.stderr.contains(pairs) && e.stderr.contains("model_a") && e.stderr.contains("family1-model1"), e.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad))
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
        XCTAssertTrue(r.stderr.contains("--method") && r.stderr.contains("'best'") && ["auto", "fisher", "stratified", "random", "reconstruction", "discriminating"].allSatisfy { r.stderr.contains("- \($0)") }, r.stderr)
        r = try irsl(["score", fit, data, "--level", "1.5", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("--level"), r.stderr)
        r = try irsl(["cat", fit, data, "--max-items", "0", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("--max-items"), r.stderr)

        // A response file is not a fit; a two-dimensional fit refuses the one-dimensional MLE by name.
        r = try irsl(["select", data, "--per-benchmark", "5", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("bernoulli.h5") && r.stderr.contains("/models/theta"), r.stderr)
        let fit2 = file("fit2.h5")
        try irsl(["fit", data, "--dims", "2", "--max-iterations", "30", "--output", fit2])
        r = try irsl(["score", fit2, data, "--estimator", "mle", "--output", out], succeeds: false)
        XCTAssertTrue(r.stderr.contains("fit2.h5") && r.stderr.contains("--estimator mle") && r.stderr.contains("K = 1")
                      && r.stderr.contains("K = 2"), r.stderr)

        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a failed command left \(out)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    /// K = 2 end to end: simulate --dims 2 → fit --dims 2 → select (D-optimal and auto) → score (IRT and
    /// calibrated) → cat → items → report, every step exiting 0 with per-benchmark rows and scores in [0, 1];
    /// the K = 1-only options are refused by name.
    func testTwoDimensionalFitSelectScoreCatItemsAndReport() throws {
        let data = file("k2.h5"), fit = file("k2-fit.h5")
        try irsl(["simulate", "--models", "300", "--items", "900", "--benchmarks", "3", "--response", "beta", "--dims", "2",
                  "--seed", "13", "--output", data])
        try irsl(["fit", data, "--dims", "2", "--output", fit])
        let benchmarks = ["bench0", "bench1", "bench2"]

        let subset = file("k2-subset.csv")
        let s = try irsl(["select", fit, "--per-benchmark", "8", "--output", subset])
        XCTAssertTrue(s.stdout.contains("D-optimal") && s.stdout.contains("fit's 300 models"), s.stdout)
        let chosen = try csv(subset)
        XCTAssertEqual(chosen.header, "item,benchmark,a,d,g,info")
        for b in benchmarks { XCTAssertEqual(chosen.rows.filter { $0[1] == b }.count, 8) }
        XCTAssertEqual(Set(chosen.rows.map { $0[0] }).count, 24)
        XCTAssertTrue(chosen.rows.allSatisfy { Double($0[2])! > 0 && Double($0[5])! > 0 })
        let auto = try irsl(["select", fit, "--per-benchmark", "6", "--responses", data, "--output", file("k2-auto.csv")])
        XCTAssertTrue(auto.stdout.contains("held-out RMSE"), auto.stdout)
        XCTAssertEqual(try csv(file("k2-auto.csv")).rows.count, 18)

        for (name, extra) in [("k2-scores.csv", [String]()), ("k2-calibrated.csv", ["--train", data])] {
            try irsl(["score", fit, data, "--items", subset, "--output", file(name)] + extra)
            let scores = try csv(file(name))
            XCTAssertEqual(scores.header, "model,benchmark,estimate,lower,upper,theta_1,theta_2,theta_se_1,theta_se_2,items_used")
            XCTAssertEqual(scores.rows.count, 300 * 3, name)
            for b in benchmarks { XCTAssertEqual(scores.rows.filter { $0[1] == b }.count, 300) }
            for r in scores.rows {
                let (e, lo, hi) = (Double(r[2])!, Double(r[3])!, Double(r[4])!)
                XCTAssertTrue(lo >= 0 && lo <= e && e <= hi && hi <= 1, "\(name): \(r)")
                XCTAssertTrue(Double(r[7])! > 0 && Double(r[8])! > 0, "\(name): positive SEs \(r)")
                XCTAssertEqual(r[9], "8")
            }
        }
        let cat = file("k2-cat.csv")
        try irsl(["cat", fit, data, "--start", "4", "--max-items", "15", "--output", cat])
        let c = try csv(cat)
        XCTAssertEqual(c.rows.count, 900)
        XCTAssertTrue(c.rows.allSatisfy { Double($0[2])! >= 0 && Double($0[2])! <= 1 && $0[10] == "15" && $0[11] == "budget" })

        let diagnostics = file("k2-items.csv")
        try irsl(["items", fit, "--responses", data, "--output", diagnostics])
        let d = try csv(diagnostics)
        XCTAssertEqual(d.rows.count, 900)
        XCTAssertTrue(d.rows.allSatisfy { Double($0[2])! > 0 && Double($0[6])! > 0 }, "‖a‖ and its SE are positive")
        let report = file("k2-report.html")
        try irsl(["report", fit, "--subset", subset, "--diagnostics", diagnostics, "--output", report])
        XCTAssertTrue(FileManager.default.fileExists(atPath: report))

        for (bad, option) in [(["score", fit, data, "--estimator", "mle", "--output", file("x.csv")], "--estimator mle"),
                              (["select", fit, "--per-benchmark", "3", "--ability", "-1:1", "--output", file("x.csv")], "--ability")] {
            let r = try irsl(bad, succeeds: false)
            XCTAssertTrue(r.stderr.contains(option) && r.stderr.contains("K = 2"), r.stderr)
        }
    }
}
