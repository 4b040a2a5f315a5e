import Foundation
import XCTest

/// The estimator as a user meets it: cross-validated model choice with a
/// known winner, pass@k from a beta-binomial fit, and a hand-written partial
/// truth that must not fail a fit (docs/estimator.md).
final class EstimatorCLITests: IngestCLITestCase {
    /// Binary data from a Rasch model (every a = 1) with few models: 2PL
    /// without priors overfits each discrimination, so held-out log-loss must
    /// prefer 1PL.
    func testCrossValidationPicksOnePLOnRaschData() throws {
        let file = path("rasch.h5")
        _ = try python(#"""
        import sys, numpy as np, h5py
        rng = np.random.default_rng(3); m, n = 30, 400
        theta = rng.normal(size=m); d = rng.normal(size=n)
        y = (rng.random((m, n)) < 1 / (1 + np.exp(-(theta[:, None] + d[None, :])))).astype(np.float32)
        s = h5py.string_dtype()
        with h5py.File(sys.argv[1], "w") as f:
            f["responses"] = y
            f["models/name"] = np.array([f"m{i}" for i in range(m)], dtype=object).astype(s)
            f["items/id"] = np.array([f"q{j}" for j in range(n)], dtype=object).astype(s)
            f["items/benchmark"] = np.array(["b"] * n, dtype=object).astype(s)
            f.attrs["response_kind"] = "binary"
        """#, [file])
        let csv = path("cv.csv")
        let r = try Launcher.irsl(["crossvalidate", file, "--model", "1pl,2pl", "--prior", "none", "--folds", "3", "--output", csv])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        XCTAssertEqual(rows.count, 2)
        let loss = Dictionary(uniqueKeysWithValues: rows.map { (String($0[1]), Double($0[3])!) })
        XCTAssertLessThan(loss["1pl"]!, loss["2pl"]!, r.stdout)
        XCTAssertTrue(r.stdout.contains("1pl K=1") && r.stdout.contains("← best"), r.stdout)
    }

    /// A simulated 200 × 300 Bernoulli matrix with K = 2 (three benchmarks).
    func simulateTwoDimensional(_ name: String, seed: Int) throws -> String {
        let file = path(name)
        let s = try Launcher.irsl(["simulate", "--models", "200", "--items", "300", "--benchmarks", "3", "--dims", "2",
                                   "--response", "bernoulli", "--seed", String(seed), "--output", file])
        XCTAssertEqual(s.status, 0, s.stderr)
        return file
    }

    /// `fit --dims 1,2` selects by cross-validation by default: it prints the
    /// held-out table, names the K it kept and writes that fit.
    func testFitSelectsDimensionsByCrossValidation() throws {
        let file = try simulateTwoDimensional("k2.h5", seed: 5)
        let out = path("k2-fit.h5")
        let r = try Launcher.irsl(["fit", file, "--dims", "1,2", "--max-iterations", "100", "--output", out], timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("2pl K=1") && r.stdout.contains("2pl K=2") && r.stdout.contains("← best"), r.stdout)
        let kept = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.hasPrefix("kept K = ") }, r.stdout)
        let k = Int(kept.dropFirst("kept K = ".count).prefix(1))!
        let check = try python(#"""
        import sys, h5py
        print(h5py.File(sys.argv[1])["models/theta"].shape[1])
        """#, [out])
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines), String(k))
    }

    /// A K > 1 fit records how it fixed its rotation, as h5py reads it: with
    /// `--prior none` anchor items (item 0 does not load on dimension 2).
    func testFitRecordsItsRotation() throws {
        let file = try simulateTwoDimensional("k2-rot.h5", seed: 6)
        let out = path("k2-rot-fit.h5")
        let r = try Launcher.irsl(["fit", file, "--dims", "2", "--prior", "none", "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let check = try python(#"""
        import sys, h5py
        f = h5py.File(sys.argv[1])
        print(f.attrs["rotation"], f["items/a"][0][1] == 0, f["items/a"][1][1] != 0)
        """#, [out])
        XCTAssertEqual(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "anchor-items True True", check.stderr)
    }

    /// A truth group with only theta, a and d (as NumPy users write it): the
    /// fit succeeds, reports recovery, exits 0.
    func testPartialTruthNeverFailsTheFit() throws {
        let file = path("partial.h5")
        _ = try python(#"""
        import sys, numpy as np, h5py
        rng = np.random.default_rng(1); m, n = 60, 300
        theta = rng.normal(size=(m, 1)); a = rng.lognormal(0, .3, size=(n, 1)); d = rng.normal(size=n)
        y = (rng.random((m, n)) < 1 / (1 + np.exp(-(theta @ a.T + d)))).astype(np.float32)
        s = h5py.string_dtype()
        with h5py.File(sys.argv[1], "w") as f:
            f["responses"] = y
            f["models/name"] = np.array([f"m{i}" for i in range(m)], dtype=object).astype(s)
            f["items/id"] = np.array([f"q{j}" for j in range(n)], dtype=object).astype(s)
            f["items/benchmark"] = np.array(["b"] * n, dtype=object).astype(s)
            f.attrs["response_kind"] = "binary"
            f["truth/theta"] = theta; f["truth/a"] = a; f["truth/d"] = d
        """#, [file])
        let r = try Launcher.irsl(["fit", file, "--output", path("partial-fit.h5")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("recovery against the file's truth"), r.stdout)
        // A truth of the wrong shape is reported, and still does not fail the fit.
        _ = try python(#"""
        import sys, numpy as np, h5py
        with h5py.File(sys.argv[1], "a") as f:
            del f["truth/theta"]; f["truth/theta"] = np.zeros((7, 1))
        """#, [file])
        let bad = try Launcher.irsl(["fit", file, "--output", path("partial-fit2.h5")])
        XCTAssertEqual(bad.status, 0, bad.stderr)
        XCTAssertTrue(bad.stdout.contains("note: no recovery summary"), bad.stdout)
    }

    /// pass@k of a beta-binomial fit: the prediction for k far beyond the
    /// samples in the file agrees with the generative model's own pass@k
    /// (simulated with 50 samples per entry, 5 of them in the file).
    func testPassAtKFromFewSamples() throws {
        let file = path("bb.h5")
        _ = try python(#"""
        import sys, numpy as np, h5py
        rng = np.random.default_rng(7); m, n, phi = 40, 500, 1.5
        theta = rng.normal(size=m); a = rng.lognormal(0, .3, size=n); d = rng.normal(-0.5, 1.5, size=n)
        p = 1 / (1 + np.exp(-(np.outer(theta, a) + d)))
        q = rng.beta(p * phi, (1 - p) * phi)
        big = rng.binomial(50, q); few = rng.binomial(5, q)
        s = h5py.string_dtype()
        with h5py.File(sys.argv[1], "w") as f:
            f["responses"] = (few / 5).astype(np.float32)
            f["trials"] = np.full((m, n), 5, np.int32)
            f["models/name"] = np.array([f"m{i}" for i in range(m)], dtype=object).astype(s)
            f["items/id"] = np.array([f"q{j}" for j in range(n)], dtype=object).astype(s)
            f["items/benchmark"] = np.array(["b"] * n, dtype=object).astype(s)
            f.attrs["response_kind"] = "proportion"
        # the truth's pass@20 per model: E over questions of 1 - (1 - q)^20
        np.savetxt(sys.argv[2], (1 - (1 - q) ** 20).mean(1))
        """#, [file, path("truth.txt")])
        let fit = path("bb-fit.h5")
        let r = try Launcher.irsl(["fit", file, "--output", fit])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("beta-binomial"), r.stdout)
        let table = path("passk.csv")
        let p = try Launcher.irsl(["passk", fit, "--k", "20", "--input", file, "--output", table])
        XCTAssertEqual(p.status, 0, p.stderr)
        let check = try python(#"""
        import sys, numpy as np, pandas as pd
        t = pd.read_csv(sys.argv[1]); truth = np.loadtxt(sys.argv[2])
        t = t[t.k == 20].set_index("model").loc[[f"m{i}" for i in range(len(truth))]]
        print(np.abs(t.posterior.values - truth).mean(), np.abs(t.predicted.values - truth).mean())
        """#, [table, path("truth.txt")])
        let maes = check.stdout.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        // The plug-in 1 − (1 − p)^20 would be off by ~0.2 here (φ = 1.5); the mixture and the posterior are not.
        XCTAssertLessThan(maes[0], 0.03, check.stdout)
        XCTAssertLessThan(maes[1], 0.05, check.stdout)
    }
}
