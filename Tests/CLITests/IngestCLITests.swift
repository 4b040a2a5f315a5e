import Foundation
import Store
import XCTest

/// `irsl ingest` as a user runs it: real exports in, `irsl info` and
/// `irsl fit` on what comes out, errors with file and line, and appends
/// whose memory does not grow with the matrix.
final class IngestCLITests: IngestCLITestCase {
    /// The README's harness → fit path: ingest, info, fit. Five synthetic
    /// models with known skill join the real pythia-14m; the fit must order
    /// them by that skill.
    func testHarnessExportsToInfoToFit() throws {
        let synthetic = try syntheticModels("synthetic", count: 5, seed: 3)
        let data = path("harness.h5")
        let ingest = try Launcher.irsl(["ingest", "lm-eval", IngestCLITestCase.harnessRoot, synthetic, "--output", data])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        XCTAssertTrue(ingest.stdout.contains("6 models"), ingest.stdout)
        XCTAssertTrue(ingest.stdout.contains("MB/s"), ingest.stdout)

        let items = try realItemCount()
        let info = try Launcher.irsl(["info", data])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "shape"), "6 models × \(items) items", info.stdout)
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "response_kind"), "probability")
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "benchmarks"), "7")  // seven samples files, seven tasks
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "floors"), "yes")
        // Only synthetic model 1 lacks a task: gsm8k's 249 questions.
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "missing"),
                       String(format: "%.2f%%", 100 * 249 / Double(6 * items)))

        let fit = path("harness-fit.h5")
        let r = try Launcher.irsl(["fit", data, "--output", fit, "--floor-from-file"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let result = try FitResult.read(fit)
        XCTAssertEqual(result.modelNames.count, 6)
        XCTAssertEqual(result.itemIDs.count, items)
        // Probabilities of the gold choice: auto fits the Bernoulli quasi-likelihood (docs/estimator.md).
        XCTAssertEqual(result.attributes.response, "bernoulli")
        XCTAssertTrue(result.theta.allSatisfy { $0.isFinite })
        // The synthetic models' abilities are ordered by the skill that generated them.
        let skills = try String(contentsOfFile: (synthetic as NSString).appendingPathComponent("skills.txt"), encoding: .utf8)
            .split(separator: " ").map { Double($0)! }
        let theta = (1...5).map { k in result.theta[result.modelNames.firstIndex(of: "synthetic/model-\(k)")!] }
        XCTAssertGreaterThan(spearman(theta, skills), 0.8, "theta \(theta) vs skill \(skills)")
    }

    /// The leaderboard table with its floors and covariates: info, then a fit using the floors.
    func testLeaderboardTableToInfoToFit() throws {
        let data = path("leaderboard.h5")
        let r = try Launcher.irsl(["ingest", "table", IngestCLITestCase.leaderboard, "--output", data,
                                   "--floors", IngestCLITestCase.lowerBounds, "--family-column", "Family",
                                   "--params-column", "#Params (B)", "--tokens-column", "Pretraining Data Size (T)",
                                   "--flops-column", "FLOPs (1E21)", "--benchmark-map", "bbh_*=bbh,math_*=math,gpqa_*=gpqa,musr_*=musr,hendrycksTest-*=mmlu"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Independent counts from the CSV text (no quoted fields in these files).
        let floorsHeader = try String(contentsOfFile: IngestCLITestCase.lowerBounds, encoding: .utf8)
            .split(separator: "\n")[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let lines = try String(contentsOfFile: IngestCLITestCase.leaderboard, encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let itemColumns = header.indices.filter { !header[$0].isEmpty && floorsHeader.contains(header[$0]) }
        var missing = 0
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            missing += itemColumns.filter { fields[$0].isEmpty }.count
        }
        let models = lines.count - 1
        let info = try Launcher.irsl(["info", data])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "shape"), "\(models) models × \(itemColumns.count) items")
        XCTAssertEqual(models, 188)
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "response_kind"), "probability")
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "families"), "35")
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "covariates"), "params, tokens, flops")
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "missing"),
                       String(format: "%.2f%%", 100 * Double(missing) / Double(models * itemColumns.count)))
        // 106 columns: the v2 and v1 aggregates stay separate; sub-tasks grouped by the map.
        let grouped = Set(itemColumns.map { index -> String in
            for (prefix, group) in [("bbh_", "bbh"), ("math_", "math"), ("gpqa_", "gpqa"), ("musr_", "musr"), ("hendrycksTest-", "mmlu")]
                where header[index].hasPrefix(prefix) { return group }
            return header[index]
        })
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "benchmarks"), "\(grouped.count)")

        let fit = path("leaderboard-fit.h5")
        let f = try Launcher.irsl(["fit", data, "--output", fit, "--floor-from-file"])
        XCTAssertEqual(f.status, 0, f.stderr)
        let result = try FitResult.read(fit)
        XCTAssertEqual(result.modelNames.count, 188)
        XCTAssertTrue(result.theta.allSatisfy { $0.isFinite })
    }

    func testMalformedLineFailsWithFileAndLineAndCanBeSkipped() throws {
        let source = try FileManager.default.contentsOfDirectory(atPath: IngestCLITestCase.pythiaDirectory)
            .first { $0.contains("mmlu") }!
        var lines = try String(contentsOfFile: (IngestCLITestCase.pythiaDirectory as NSString).appendingPathComponent(source),
                               encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = String(lines[2].dropLast(40))
        let model = dir.appendingPathComponent("exports/org__broken")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let bad = model.appendingPathComponent(source).path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: bad))
        let out = path("broken.h5")

        let r = try Launcher.irsl(["ingest", "lm-eval", path("exports"), "--output", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains(bad) && r.stderr.contains("line 3"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a failed ingest left an output file")

        let skipped = try Launcher.irsl(["ingest", "lm-eval", path("exports"), "--output", out, "--skip-bad-lines"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stdout.contains("skipped 1 malformed line"), skipped.stdout)
        XCTAssertEqual(try ResponseFileInfo.read(out).items, lines.count - 1)

        let single = try Launcher.irsl(["ingest", "lm-eval", bad, "--output", path("single.h5")])
        XCTAssertNotEqual(single.status, 0)
        XCTAssertTrue(single.stderr.contains("--model"), single.stderr)
    }

    /// Appending to a large fixed-size file (simulate's) rewrites it block by
    /// block; appending again grows it in place. Neither loads the matrix:
    /// the peak RSS each run reports stays far below the matrix's size.
    func testAppendNeverLoadsTheMatrix() throws {
        let data = path("big.h5")
        let (models, items) = (2000, 16000)
        let s = try Launcher.irsl(["simulate", "--models", "\(models)", "--items", "\(items)", "--benchmarks", "4",
                                   "--output", data])
        XCTAssertEqual(s.status, 0, s.stderr)
        let matrixMB = Double(models * items * 4) / 1e6
        let before = try rows(data, [0, 1234, models - 1], cols: items)

        let first = try Launcher.irsl(["ingest", "lm-eval", IngestCLITestCase.pythiaDirectory, "--output", data, "--append"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("fixed-size") && first.stdout.contains("rewritten"), first.stdout)
        let synthetic = try syntheticModels("more", count: 1)
        let second = try Launcher.irsl(["ingest", "lm-eval", synthetic, "--output", data, "--append"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("(appended)"), second.stdout)
        for run in [first, second] {
            let peak = try XCTUnwrap(run.stdout.range(of: #"peak RSS (\d+) MB"#, options: .regularExpression)
                .map { Double(run.stdout[$0].split(separator: " ")[2])! })
            XCTAssertLessThan(peak, 0.75 * matrixMB, "peak RSS \(peak) MB for a \(matrixMB) MB matrix:\n\(run.stdout)")
        }
        let info = try ResponseFileInfo.read(data)
        XCTAssertEqual(info.models, models + 2)
        XCTAssertEqual(info.items, items + (try realItemCount()))
        XCTAssertEqual(Array(info.modelNames.suffix(2)), ["EleutherAI/pythia-14m", "synthetic/model-1"])
        // The simulated rows are unchanged in their old columns and missing in the new ones.
        let after = try rows(data, [0, 1234, models - 1], cols: info.items)
        for (old, new) in zip(before, after) {
            XCTAssertEqual(Array(new.prefix(items)), old)
            XCTAssertTrue(new.dropFirst(items).allSatisfy { $0.isNaN })
        }
        let again = try Launcher.irsl(["ingest", "lm-eval", synthetic, "--output", data, "--append"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("synthetic/model-1") && again.stderr.contains("--replace"), again.stderr)
    }

    /// Rows `indices` of /responses.
    private func rows(_ path: String, _ indices: [Int], cols: Int) throws -> [[Float]] {
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        return try indices.map { row in
            var values = [Float](repeating: 0, count: cols)
            try values.withUnsafeMutableBufferPointer { try file.readRows("/responses", rowStart: row, rowCount: 1, into: $0) }
            return values
        }
    }

    private func spearman(_ x: [Double], _ y: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: v.count)
            for (rank, index) in v.indices.sorted(by: { v[$0] < v[$1] }).enumerated() { r[index] = Double(rank) }
            return r
        }
        let (a, b) = (ranks(x), ranks(y))
        let n = Double(x.count)
        let d2 = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return 1 - 6 * d2 / (n * (n * n - 1))
    }
}
