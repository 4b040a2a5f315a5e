import Foundation
import Store
import XCTest

/// `irsl law`, `forecast`, `optimal`, `passk` and `backtest` run as a user
/// runs them, on simulated files whose truth is known.
final class ScalingLawCLITests: ScalingLawCLITestCase {
    /// law → forecast: the law is printed in words, LAW.h5 and its CSV twin
    /// exist, and a forecast equals the law's line plus the family effect
    /// pushed through the fit's items (recomputed here from the files);
    /// a new family's interval is wider than a seen family's.
    func testLawAndForecastOnSimulatedData() throws {
        let (_, fit) = try simulateAndFit("sim", ["--models", "240", "--items", "120", "--benchmarks", "3", "--families", "8", "--seed", "4"])
        let law = path("law.h5")
        // Without offsets, so the point forecasts can be recomputed from the law's coefficients alone.
        let r = try irsl(["law", fit, "--output", law, "--offsets", "none"])
        XCTAssertTrue(r.stdout.contains("per doubling of compute") && r.stdout.contains("family spread sd"), r.stdout)
        XCTAssertTrue(r.stdout.contains("fitted on 240 models in 8 families"), r.stdout)
        let twin = try CSVRows(path: law + ".csv")
        XCTAssertEqual(twin.header, ["dimension", "term", "estimate", "se"])
        XCTAssertTrue(twin.strings("term").contains("family:family3"))

        let models = try write("new.csv", "name,family,params,tokens,flops\nseen,family3,,,1e23\nunseen,brand-new,,,1e23\n")
        let out = path("forecasts.csv")
        let f = try irsl(["forecast", law, "--fit", fit, "--models", models, "--output", out])
        XCTAssertTrue(f.stdout.contains("family seen") && f.stdout.contains("new family"), f.stdout)
        let csv = try CSVRows(path: out)
        XCTAssertEqual(csv.header, ["model", "benchmark", "predicted", "lower", "upper"])
        XCTAssertEqual(csv.rows.count, 6)

        // Recompute the point forecasts from LAW.h5 and FIT.h5.
        let h5 = try H5File(law, mode: .readOnly)
        let beta = try h5.readDoubles("/law/coefficients"), center = try h5.readDoubles("/law/center")[0]
        let scale = try h5.readDoubles("/law/scale")[0]
        let families = try h5.readStrings("/families/name"), effects = try h5.readDoubles("/families/effect")
        h5.close()
        let result = try FitResult.read(fit)
        let x = (23 - center) / scale
        let thetaSeen = beta[0] + beta[1] * x + effects[families.firstIndex(of: "family3")!]
        let thetaNew = beta[0] + beta[1] * x
        func score(_ theta: Double, _ benchmark: String) -> Double {
            let items = result.itemBenchmarks.indices.filter { result.itemBenchmarks[$0] == benchmark }
            return items.map { j in result.g[j] + (1 - result.g[j]) / (1 + exp(-(result.a[j] * theta + result.d[j]))) }.reduce(0, +) / Double(items.count)
        }
        let predicted = csv.numbers("predicted"), lower = csv.numbers("lower"), upper = csv.numbers("upper")
        let names = csv.strings("model"), benchmarks = csv.strings("benchmark")
        var widthSeen = 0.0, widthNew = 0.0
        for i in csv.rows.indices {
            let expected = score(names[i] == "seen" ? thetaSeen : thetaNew, benchmarks[i])
            XCTAssertEqual(predicted[i], expected, accuracy: 1e-9, "\(names[i]) \(benchmarks[i])")
            XCTAssertTrue(lower[i] <= predicted[i] && predicted[i] <= upper[i])
            if names[i] == "seen" { widthSeen += upper[i] - lower[i] } else { widthNew += upper[i] - lower[i] }
        }
        XCTAssertGreaterThan(widthNew, 1.3 * widthSeen, "a new family carries the family spread")
    }

    /// A law belongs to its fit; another fit's items are refused, and a
    /// failed forecast leaves no output behind.
    func testForecastRefusesAnotherFitAndWritesNothing() throws {
        let (_, fitA) = try simulateAndFit("a", ["--models", "120", "--items", "60", "--seed", "1"])
        let (_, fitB) = try simulateAndFit("b", ["--models", "120", "--items", "60", "--seed", "2"])
        let law = path("law.h5")
        try irsl(["law", fitA, "--output", law])
        let out = path("forecasts.csv")
        let r = try Launcher.irsl(["forecast", law, "--fit", fitB, "--flops", "1e23", "--output", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("was fitted to the abilities of") && r.stderr.contains(fitA), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let bad = try Launcher.irsl(["forecast", law, "--fit", fitA, "--flops", "1e23", "--level", "1.5", "--output", out])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--level"), bad.stderr)
    }

    /// Without a response file to take covariates from, `irsl law` says
    /// which field failed and what to give instead; a covariate CSV with a
    /// bad cell is named by file, column and line; nothing is written.
    /// `irsl fit` writes a self-contained fit: its input as an absolute
    /// path, its timings, and the input's model covariates; `law` finds the
    /// input from the fit alone.
    func testFitRecordsItsInputTimingsAndCovariates() throws {
        let (data, fit) = try simulateAndFit("rec", ["--models", "80", "--items", "40", "--seed", "5"])
        let result = try FitResult.read(fit)
        XCTAssertEqual(result.attributes.input, URL(fileURLWithPath: data).standardizedFileURL.path)
        XCTAssertTrue(result.attributes.input!.hasPrefix("/"))
        let t = try XCTUnwrap(result.attributes.timings)
        XCTAssertGreaterThan(t.readSeconds, 0)
        XCTAssertGreaterThan(t.peakRSSMB, 1)
        XCTAssertGreaterThanOrEqual(t.computeSeconds, 0)
        let info = try ResponseFileInfo.read(data)
        XCTAssertEqual(result.families, info.families)
        XCTAssertEqual(result.modelCovariates?.map(\.effectiveFlops), ModelCovariates.from(info).map(\.effectiveFlops))
        let law = path("rec-law.h5")
        let r = try Launcher.irsl(["law", fit, "--output", law])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("covariates from \(fit) (/models/*)"), r.stdout)
        // The offsets come from the recorded input's responses.
        XCTAssertTrue(r.stdout.contains("family × benchmark offsets (random, REML)"), r.stdout)
        let stored = try H5File(law, mode: .readOnly)
        defer { stored.close() }
        XCTAssertEqual(try stored.readStrings("/offsets/benchmark"), try CalibratedItems(fit: result).benchmarkNames)
    }

    func testLawNeedsCovariates() throws {
        let (data, fit) = try simulateAndFit("c", ["--models", "100", "--items", "50", "--seed", "3"])
        try FileManager.default.removeItem(atPath: data)
        let law = path("law.h5")
        // The fit carries its models' covariates, so the law needs no response
        // file; what needs the responses (offsets, dispersion) says to give --input.
        let r = try Launcher.irsl(["law", fit, "--output", law])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("offsets: none (no response file; give --input)"), r.stdout)
        let noOffsets = try H5File(law, mode: .readOnly)
        XCTAssertFalse(noOffsets.exists("/offsets/benchmark"))
        noOffsets.close()
        try FileManager.default.removeItem(atPath: law)
        try FileManager.default.removeItem(atPath: law + ".csv")
        // --input naming a file that is not there is an error naming it.
        let missing = try Launcher.irsl(["law", fit, "--output", law, "--input", data])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains(data), missing.stderr)
        let csv = try write("cov.csv", "name,family,flops\nfamily0-model0,family0,1e22\nfamily1-model1,family1,many\n")
        let r2 = try Launcher.irsl(["law", fit, "--output", law, "--models", csv])
        XCTAssertNotEqual(r2.status, 0)
        XCTAssertTrue(r2.stderr.contains("cov.csv") && r2.stderr.contains("column flops, line 3"), r2.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: law))
        XCTAssertFalse(FileManager.default.fileExists(atPath: law + ".csv"))
        // Models missing from the CSV are skipped and counted.
        var rows = "name,family,flops\n"
        for m in 0..<60 { rows += "family\(m % 10)-model\(m),family\(m % 10),\(pow(10, 20 + Double(m) / 12))\n" }
        let partial = try write("partial.csv", rows)
        let ok = try irsl(["law", fit, "--output", law, "--models", partial])
        XCTAssertTrue(ok.stdout.contains("40 model(s) skipped for lack of covariates"), ok.stdout)
    }

    /// The backtest over many held-out models, from families seen in
    /// training and from families never seen: its 90 % intervals cover the
    /// observed benchmark scores at the nominal rate (binomial error over
    /// the held-out models, whose benchmarks share one ability error), and
    /// the CSV carries the baselines on the same pairs.
    func testBacktestIntervalsCoverHeldOutModels() throws {
        let data = path("bt.h5")
        try irsl(["simulate", "--output", data, "--models", "800", "--items", "160", "--benchmarks", "4",
                  "--families", "32", "--seed", "12"])
        let info = try ResponseFileInfo.read(data)
        var split = "model,role\n", testModels = 0
        for (m, name) in info.modelNames.enumerated() {
            let family = m % 32
            let test = family >= 24 || (m / 32) % 3 == 0
            if test { testModels += 1 }
            split += "\(name),\(test ? "test" : "train")\n"
        }
        let splitPath = try write("split.csv", split)
        let out = path("bt.csv")
        let r = try irsl(["backtest", data, "--split", splitPath, "--output", out, "--draws", "1000"])
        XCTAssertTrue(r.stdout.contains("overall") && r.stdout.contains("family + FLOPs"), r.stdout)
        let csv = try CSVRows(path: out)
        XCTAssertEqual(Array(csv.header.prefix(5)), ["model", "benchmark", "predicted", "lower", "upper"])
        XCTAssertEqual(csv.rows.count, testModels * 4)
        let (law, flops, family) = MethodAccuracy.all(csv)
        let tolerance = 3 * (0.09 / Double(testModels)).squareRoot() + 0.01
        XCTAssertEqual(law.coverage, 0.9, accuracy: tolerance, "coverage over \(testModels) held-out models")
        XCTAssertLessThan(law.mae, flops.mae, "the law uses the families; FLOPs only does not")
        XCTAssertLessThan(law.mae, family.mae * 1.05, "on one-dimensional simulated data the law is at least as good as family + FLOPs")
    }

    /// The default backtest (K by nested cross-validation, offsets) never
    /// reads a test model's responses before scoring it: the same file with
    /// every test response replaced by 1 − y gives the same forecasts, only
    /// the observed scores change.
    func testBacktestNeverReadsTestResponses() throws {
        let data = path("poison.h5")
        try irsl(["simulate", "--output", data, "--models", "240", "--items", "40", "--benchmarks", "2",
                  "--families", "12", "--seed", "21"])
        let info = try ResponseFileInfo.read(data)
        let test = Set(info.modelNames.indices.filter { $0 % 12 < 3 && $0 >= 12 })
        var split = "model,role\n"
        for (m, name) in info.modelNames.enumerated() { split += "\(name),\(test.contains(m) ? "test" : "train")\n" }
        let splitPath = try write("poison-split.csv", split)
        let poisoned = path("poisoned.h5")
        try FileManager.default.copyItem(atPath: data, toPath: poisoned)
        let file = try H5File(poisoned, mode: .readWrite)
        var row = [Float](repeating: 0, count: info.items)
        for m in test {
            try row.withUnsafeMutableBufferPointer { try file.readRows("/responses", rowStart: m, rowCount: 1, into: $0) }
            for j in row.indices where !row[j].isNaN { row[j] = 1 - row[j] }
            try row.withUnsafeBufferPointer { try file.writeRows("/responses", rowStart: m, rowCount: 1, floats: $0) }
        }
        file.close()
        var tables: [CSVRows] = []
        for input in [data, poisoned] {
            let out = path("poison-\(tables.count).csv")
            let r = try irsl(["backtest", input, "--split", splitPath, "--output", out, "--draws", "200"])
            XCTAssertTrue(r.stdout.contains("by nested cross-validation on the training models"), r.stdout)
            tables.append(try CSVRows(path: out))
        }
        XCTAssertEqual(tables[0].rows.count, test.count * 2)
        for column in ["predicted", "lower", "upper", "family_flops", "flops_only"] {
            XCTAssertEqual(tables[0].numbers(column), tables[1].numbers(column), column)
        }
        XCTAssertNotEqual(tables[0].numbers("observed"), tables[1].numbers("observed"))
    }

    /// Successes out of trials: without --response each fold chooses the
    /// likelihood with K on its training models (every pair is tried and
    /// printed), and the chosen one is the one calibrated; --response fixes it.
    func testBacktestChoosesTheLikelihoodOfCounts() throws {
        let data = path("counts.h5")
        try irsl(["simulate", "--output", data, "--models", "240", "--items", "40", "--benchmarks", "2",
                  "--families", "12", "--response", "binomial", "--seed", "23"])
        let info = try ResponseFileInfo.read(data)
        var split = "model,role\n"
        for (m, name) in info.modelNames.enumerated() { split += "\(name),\(m % 12 < 3 && m >= 12 ? "test" : "train")\n" }
        let splitPath = try write("counts-split.csv", split)
        let r = try irsl(["backtest", data, "--split", splitPath, "--output", path("counts.csv"), "--draws", "200", "--dims", "1,2"])
        // The simulated file declares the binomial likelihood: it and the quasi-likelihood of the fractions are the candidates.
        for pair in ["(binomial K = 1: MAE", ", binomial K = 2: MAE", ", bernoulli K = 1: MAE", ", bernoulli K = 2: MAE"] {
            XCTAssertTrue(r.stdout.contains(pair), "\(pair) in\n\(r.stdout)")
        }
        let chosen = try XCTUnwrap(r.stdout.components(separatedBy: "\n").first { $0.contains("by nested cross-validation on the training models") })
        let line = chosen.trimmingCharacters(in: .whitespaces)   // one unnamed fold: no "fold …:" label
        let likelihood = line.hasPrefix("binomial, K") ? "binomial" : "bernoulli"
        XCTAssertTrue(line.hasPrefix("\(likelihood), K = "), chosen)
        XCTAssertTrue(r.stdout.contains("training models (\(likelihood), K ="), r.stdout)
        let fixed = try irsl(["backtest", data, "--split", splitPath, "--output", path("counts-fixed.csv"), "--draws", "200",
                              "--dims", "1", "--response", "binomial"])
        XCTAssertFalse(fixed.stdout.contains("by nested cross-validation"), fixed.stdout)
        XCTAssertTrue(fixed.stdout.contains("training models (binomial, K = 1"), fixed.stdout)
    }

    /// pass@k of binomial data: for k ≤ n the calibrated prediction agrees
    /// with the unbiased estimator from the counts; beyond n (no estimator)
    /// it agrees with pass@k computed from the simulator's true success
    /// probabilities.
    func testPassKAgainstUnbiasedEstimatorAndTruth() throws {
        let (data, fit) = try simulateAndFit("pk", ["--models", "200", "--items", "160", "--benchmarks", "2", "--response", "binomial",
                                                    "--trials", "20", "--seed", "8"])
        let out = path("passk.csv")
        let r = try irsl(["passk", fit, "--k", "1,5,20,100", "--output", out])
        XCTAssertTrue(r.stdout.contains("unbiased estimator"), r.stdout)
        let csv = try CSVRows(path: out)
        XCTAssertEqual(csv.header, ["model", "benchmark", "k", "predicted", "posterior", "empirical", "questions"])
        XCTAssertEqual(csv.rows.count, 200 * 2 * 4)
        let ks = csv.numbers("k"), predicted = csv.numbers("predicted"), empirical = csv.numbers("empirical")
        let models = csv.strings("model"), benchmarks = csv.strings("benchmark")
        for k in [1.0, 5, 20] {
            let rows = csv.rows.indices.filter { ks[$0] == k }
            let meanDiff = rows.map { predicted[$0] - empirical[$0] }.reduce(0, +) / Double(rows.count)
            let meanAbs = rows.map { abs(predicted[$0] - empirical[$0]) }.reduce(0, +) / Double(rows.count)
            XCTAssertLessThan(abs(meanDiff), 0.01, "pass@\(Int(k)) bias against the unbiased estimator")
            XCTAssertLessThan(meanAbs, 0.03, "pass@\(Int(k)) per model and benchmark")
        }
        let beyond = csv.rows.indices.filter { ks[$0] == 100 }
        XCTAssertTrue(beyond.allSatisfy { empirical[$0].isNaN }, "no unbiased estimate for k > n")
        // Truth: 1 − (1 − p)^100 from /truth of the simulated file.
        let h5 = try H5File(data, mode: .readOnly)
        let theta = try h5.readDoubles("/truth/theta"), a = try h5.readDoubles("/truth/a"), d = try h5.readDoubles("/truth/d")
        let names = try h5.readStrings("/models/name"), itemBench = try h5.readStrings("/items/benchmark")
        h5.close()
        var row: [String: Int] = [:]
        for (i, n) in names.enumerated() { row[n] = i }
        var error = 0.0
        for i in beyond {
            let m = row[models[i]]!
            let items = itemBench.indices.filter { itemBench[$0] == benchmarks[i] }
            let truth = items.map { j in 1 - pow(1 - 1 / (1 + exp(-(a[j] * theta[m] + d[j]))), 100) }.reduce(0, +) / Double(items.count)
            error += abs(predicted[i] - truth)
        }
        XCTAssertLessThan(error / Double(beyond.count), 0.03, "pass@100 extrapolated against the truth")
    }

    /// `irsl optimal` splits a budget along C = 6·P·T under a translog law,
    /// and refuses a FLOPs-only law.
    func testOptimalSplitsABudget() throws {
        let (_, fit) = try simulateAndFit("opt", ["--models", "150", "--items", "60", "--benchmarks", "2", "--seed", "5"])
        // The simulator's tokens are 20 × params (collinear); give independent ones.
        let info = try ResponseFileInfo.read(path("opt.h5"))
        var rows = "name,family,params,tokens\n"
        for (m, name) in info.modelNames.enumerated() {
            rows += "\(name),\(info.families![m]),\(info.params![m]),\(info.params![m] * pow(10, 0.5 + Double(m % 7) / 3))\n"
        }
        let law = path("law.h5")
        try irsl(["law", fit, "--output", law, "--covariates", "params-tokens", "--models", try write("cov.csv", rows)])
        let r = try irsl(["optimal", law, "--flops", "1e23", "--benchmark", "bench1", "--fit", fit])
        let lines = r.stdout.split(separator: "\n").filter { $0.contains(" predicted ") }
        XCTAssertEqual(lines.count, 2, r.stdout)
        for line in lines {
            let words = line.split(separator: " ").map(String.init)
            let pi = try XCTUnwrap(words.firstIndex(of: "params")), ti = try XCTUnwrap(words.firstIndex(of: "tokens"))
            let p = try XCTUnwrap(Double(words[pi + 1])), t = try XCTUnwrap(Double(words[ti + 1]))
            XCTAssertEqual(6 * p * t, 1e23, accuracy: 0.01e23, String(line))
        }
        let flopsLaw = path("flops-law.h5")
        try irsl(["law", fit, "--output", flopsLaw])
        let bad = try Launcher.irsl(["optimal", flopsLaw, "--flops", "1e23"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("params-tokens"), bad.stderr)
    }
}
