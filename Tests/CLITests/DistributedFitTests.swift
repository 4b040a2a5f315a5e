import Foundation
import Store
import XCTest

/// The distributed fit, launched with mpirun exactly as a user would.
final class DistributedFitTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first (make test does): \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }   // nil when set-up skipped
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func simulate(_ name: String, _ extra: [String]) throws -> String {
        let out = path(name)
        let r = try Launcher.irsl(["simulate", "--output", out] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    func assertClose(_ x: [Double], _ y: [Double], relative: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(x.count, y.count, what, file: file, line: line)
        var worst = 0.0
        for (a, b) in zip(x, y) where a.isFinite || b.isFinite {
            worst = max(worst, abs(a - b) / max(abs(a), abs(b), 1e-3))
        }
        XCTAssertLessThanOrEqual(worst, relative, "\(what): largest relative difference \(worst)", file: file, line: line)
    }

    /// 1, 2, 3 and 4 ranks (301 rows: uneven blocks) and the launcher-free
    /// single-process run all reach the same parameters, fitted to a tight tolerance.
    func testSameParametersForAnyRankCount() throws {
        let input = try simulate("ranks.h5", ["--models", "301", "--items", "700", "--benchmarks", "3", "--missing", "0.1", "--seed", "5"])
        let tight = ["--tolerance", "1e-13", "--parameter-tolerance", "1e-9", "--max-iterations", "300"]
        let serial = path("serial.h5")
        let s = try Launcher.irsl(["fit", input, "--output", serial] + tight)
        XCTAssertEqual(s.status, 0, s.stderr)
        let reference = try FitResult.read(serial)
        XCTAssertTrue(reference.attributes.converged)
        XCTAssertEqual(reference.attributes.ranks, 1)
        for ranks in 1...4 {
            let out = path("fit-\(ranks).h5")
            let r = try Launcher.mpirun(ranks, ["fit", input, "--output", out] + tight, timeout: 300)
            XCTAssertEqual(r.status, 0, "mpirun -n \(ranks): \(r.stderr)")
            let fit = try FitResult.read(out)
            XCTAssertEqual(fit.attributes.ranks, ranks)
            assertClose(fit.theta, reference.theta, relative: 1e-6, "theta, \(ranks) ranks")
            assertClose(fit.a, reference.a, relative: 1e-6, "a, \(ranks) ranks")
            assertClose(fit.d, reference.d, relative: 1e-6, "d, \(ranks) ranks")
            assertClose(fit.phi, reference.phi, relative: 1e-6, "phi, \(ranks) ranks")
            XCTAssertEqual(fit.attributes.loglik, reference.attributes.loglik, accuracy: 1e-9 * abs(reference.attributes.loglik))
            // Only rank 0 prints progress: one line per iteration.
            let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("iter ") }
            XCTAssertEqual(lines.count, fit.attributes.iterations, "progress lines with \(ranks) ranks")
        }
    }

    /// The demo's story in small: progress lines, the output and its CSV twins, a recovery summary.
    func testFitWritesOutputsAndRecoverySummary() throws {
        let input = try simulate("small.h5", ["--models", "200", "--items", "800", "--seed", "3"])
        let out = path("small-fit.h5")
        let r = try Launcher.mpirun(2, ["fit", input, "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("loglik"))
        XCTAssertTrue(r.stdout.contains("entries/s"))
        XCTAssertTrue(r.stdout.contains("recovery against the file's truth: r(theta) 0.99"), r.stdout)
        let abilities = try String(contentsOfFile: out + ".abilities.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(abilities.count, 201)
        XCTAssertTrue(abilities[0].hasPrefix("model,theta,theta_se"), String(abilities[0]))
        let items = try String(contentsOfFile: out + ".items.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(items.count, 801)
        let fit = try FitResult.read(out)
        XCTAssertEqual(fit.modelNames.count, 200)
        XCTAssertEqual(fit.attributes.response, "beta")
        XCTAssertEqual(fit.logLikelihoodHistory.count, fit.attributes.iterations)
        XCTAssertEqual(fit.attributes.aic, 2 * Double(fit.attributes.nParameters) - 2 * fit.attributes.loglik, accuracy: 1e-6)
        let info = try Launcher.irsl(["info", out])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("200 models × 800 items"), info.stdout)
    }

    /// IRSL_VECTOR_LANES caps the kernels' lanes (to measure the AVX2 or
    /// baseline path on a wider CPU): the fit says which pass ran, and every
    /// path reaches the same parameters.
    func testVectorLanesFromTheEnvironment() throws {
        let input = try simulate("lanes.h5", ["--models", "120", "--items", "300", "--seed", "9"])
        var thetas: [[Double]] = []
        for lanes in ["4", "8"] {
            let out = path("lanes-\(lanes).h5")
            let r = try Launcher.run(["env", "IRSL_VECTOR_LANES=\(lanes)", Launcher.binary, "fit", input, "--output", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("performance:") }) else {
                XCTFail("no performance line: \(r.stdout)"); continue
            }
            // A CPU without AVX2 runs 4 lanes whatever is asked.
            let expected = lanes == "8" && !line.hasSuffix("kernels 8 lanes") ? "kernels 4 lanes" : "kernels \(lanes) lanes"
            XCTAssertTrue(line.hasSuffix(expected), String(line))
            thetas.append(try FitResult.read(out).theta)
        }
        if thetas.count == 2 { assertClose(thetas[0], thetas[1], relative: 1e-4, "theta, 4 against 8 lanes") }
    }

    /// Bad input: a clear message naming the file and the field, a non-zero
    /// exit from every rank within seconds, and no output file.
    func testBadValueEndsEveryRankWithoutOutput() throws {
        let input = try simulate("bad.h5", ["--models", "50", "--items", "100", "--seed", "2"])
        // Put an impossible value in the last rank's rows.
        let file = try H5File(input, mode: .readWrite)
        var row = [Float](repeating: 0.5, count: 100)
        row[17] = 1.5
        try row.withUnsafeBufferPointer { try file.writeRows("/responses", rowStart: 49, rowCount: 1, floats: $0) }
        file.close()
        let out = path("bad-fit.h5")
        // Every rank must stop within 30 s: a job still running then is stopped, and fails the test.
        let r = try Launcher.mpirun(3, ["fit", input, "--output", out], timeout: 30)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertFalse(r.timedOut, "the job hung until the 30 s timeout")
        XCTAssertTrue(r.stderr.contains(input) && r.stderr.contains("/responses") && r.stderr.contains("[49, 17]"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".items.csv"))
    }

    func testMissingInputFileIsAClearError() throws {
        let r = try Launcher.mpirun(2, ["fit", path("nope.h5"), "--output", path("x.h5")], timeout: 60)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertNotEqual(r.status, 124)
        XCTAssertTrue(r.stderr.contains("nope.h5"), r.stderr)
    }

    func testConfigFileAndUnknownKey() throws {
        let input = try simulate("cfg.h5", ["--models", "60", "--items", "200", "--response", "bernoulli", "--seed", "4"])
        let good = path("good.toml"), bad = path("bad.toml")
        try "[fit]\nmodel = \"1pl\"\nmax-iterations = 3\ntolerance = 0\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "[fit]\nmax-iteration = 3\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let ok = try Launcher.irsl(["fit", input, "--output", path("cfg-fit.h5"), "--config", good])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let fit = try FitResult.read(path("cfg-fit.h5"))
        XCTAssertEqual(fit.attributes.model, "1pl")
        XCTAssertEqual(fit.attributes.iterations, 3)
        // A flag overrides the config.
        let over = try Launcher.irsl(["fit", input, "--output", path("cfg-fit2.h5"), "--config", good, "--max-iterations", "2"])
        XCTAssertEqual(over.status, 0, over.stderr)
        XCTAssertEqual(try FitResult.read(path("cfg-fit2.h5")).attributes.iterations, 2)
        let r = try Launcher.irsl(["fit", input, "--output", path("cfg-bad.h5"), "--config", bad])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("max-iteration") && r.stderr.contains(bad), r.stderr)
    }

    /// `--dims 1,2`: both fits are written, the table printed, and on
    /// two-dimensional data BIC keeps K = 2 as `<out>`.
    func testDimensionListKeepsTheBestByCriterion() throws {
        let input = try simulate("k2.h5", ["--models", "300", "--items", "900", "--dims", "2", "--seed", "8"])
        let out = path("k2-fit.h5")
        let r = try Launcher.mpirun(2, ["fit", input, "--output", out, "--dims", "1,2", "--select", "bic"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let k1 = try FitResult.read(path("k2-fit.K1.h5")), k2 = try FitResult.read(path("k2-fit.K2.h5"))
        XCTAssertEqual(k1.dims, 1)
        XCTAssertEqual(k2.dims, 2)
        XCTAssertNil(k1.attributes.rotation)
        XCTAssertEqual(k2.attributes.rotation, "principal-axes")
        XCTAssertLessThan(k2.attributes.bic, k1.attributes.bic)
        XCTAssertTrue(r.stdout.contains("AIC") && r.stdout.contains("← kept"), r.stdout)
        let kept = try FitResult.read(out)
        XCTAssertEqual(kept.dims, 2)
        XCTAssertEqual(kept.attributes.bic, k2.attributes.bic)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + ".items.csv"))
        let bad = try Launcher.irsl(["fit", input, "--output", path("k-bad.h5"), "--dims", "1,x"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--dims"), bad.stderr)
    }

    /// Every shipped config parses and drives a fit (flags override its paths).
    func testShippedConfigsAreValid() throws {
        let input = try simulate("cfgs.h5", ["--models", "60", "--items", "150", "--seed", "6"])
        let configs = try FileManager.default.contentsOfDirectory(atPath: Launcher.packageRoot.appendingPathComponent("configs").path)
            .filter { $0.hasSuffix(".toml") }
        XCTAssertGreaterThanOrEqual(configs.count, 3)
        for name in configs {
            let cfg = Launcher.packageRoot.appendingPathComponent("configs/\(name)").path
            let r = try Launcher.irsl(["fit", input, "--output", path("cfg-\(name).h5"), "--config", cfg,
                                       "--checkpoint", path("cfg-\(name).ckpt"), "--max-iterations", "2"])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
        }
    }

    func testBinomialNeedsTrials() throws {
        let input = try simulate("nb.h5", ["--models", "30", "--items", "60", "--response", "bernoulli"])
        let r = try Launcher.irsl(["fit", input, "--output", path("nb-fit.h5"), "--response", "binomial"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/trials"), r.stderr)
    }
}
