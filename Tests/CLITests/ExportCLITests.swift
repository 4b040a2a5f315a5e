import Foundation
import XCTest

/// `irsl export`, read back with pandas and compared with h5py's view of
/// the same file.
final class ExportCLITests: IngestCLITestCase {
    func testExportsReadBackWithPandas() throws {
        let logs = IngestCLITestCase.data.appendingPathComponent("harness-exports/inspect_ai").path
        let h5 = path("inspect.h5")
        XCTAssertEqual(try Launcher.irsl(["ingest", "inspect", logs, "--output", h5]).status, 0)
        for format in ["wide-csv", "long-csv", "py-irt-jsonl"] {
            let r = try Launcher.irsl(["export", h5, "--format", format, "--output", path(format)])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let py = try python(#"""
        import sys, json, h5py, numpy as np, pandas as pd
        h5, wide, long, jsonl = sys.argv[1:5]
        with h5py.File(h5) as f:
            R = f["responses"][:].astype(np.float64); T = f["trials"][:]
            models = list(f["models/name"].asstr()[:]); items = list(f["items/id"].asstr()[:])
            bench = list(f["items/benchmark"].asstr()[:])
        w = pd.read_csv(wide, index_col=0)
        assert list(w.index) == models and list(w.columns) == items, "wide labels"
        assert np.allclose(w.to_numpy(), R, equal_nan=True, rtol=0, atol=1e-7)
        l = pd.read_csv(long)
        assert len(l) == np.count_nonzero(~np.isnan(R)), (len(l),)
        mi, ii = {m: i for i, m in enumerate(models)}, {x: j for j, x in enumerate(items)}
        for row in l.itertuples():
            i, j = mi[row.model], ii[row.item]
            assert abs(row.response - R[i, j]) < 1e-7 and row.trials == T[i, j] and row.benchmark == bench[j]
        lines = [json.loads(x) for x in open(jsonl)]
        assert [x["subject_id"] for x in lines] == models
        for i, x in enumerate(lines):
            for k, v in x["responses"].items():
                assert abs(v - R[i, ii[k]]) < 1e-7
            assert len(x["responses"]) == np.count_nonzero(~np.isnan(R[i]))
        print("ok")
        """#, [h5, path("wide-csv"), path("long-csv"), path("py-irt-jsonl")])
        XCTAssertEqual(py.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
    }

    func testFitParametersInMirtColumns() throws {
        let data = path("sim.h5"), fit = path("fit.h5"), params = path("params.csv")
        XCTAssertEqual(try Launcher.irsl(["simulate", "--models", "200", "--items", "40", "--dims", "2", "--seed", "3", "--output", data]).status, 0)
        let f = try Launcher.irsl(["fit", data, "--output", fit, "--dims", "2"])
        XCTAssertEqual(f.status, 0, f.stderr)
        let r = try Launcher.irsl(["export", fit, "--format", "wide-csv", "--output", params])
        XCTAssertEqual(r.status, 0, r.stderr)
        let py = try python(#"""
        import sys, h5py, numpy as np, pandas as pd
        fit, params = sys.argv[1:3]
        p = pd.read_csv(params)
        assert list(p.columns) == ["item", "benchmark", "a1", "a2", "d", "g", "u"], list(p.columns)
        with h5py.File(fit) as f:
            assert np.allclose(p[["a1", "a2"]].to_numpy(), f["items/a"][:], rtol=0, atol=1e-12)
            assert np.allclose(p["d"], f["items/d"][:], rtol=0, atol=1e-12)
            assert list(p["item"]) == list(f["items/id"].asstr()[:])
        assert (p["u"] == 1).all()
        print("ok")
        """#, [fit, params])
        XCTAssertEqual(py.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        let bad = try Launcher.irsl(["export", fit, "--format", "py-irt-jsonl", "--output", path("x.jsonl")])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("fit file"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.jsonl")))
    }
}
