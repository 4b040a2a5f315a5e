import Foundation
import XCTest

/// Files written by `irsl ingest` opened with h5py, NumPy and pandas, and
/// checked against what Python computes from the raw exports itself.
final class IngestInteropTests: IngestCLITestCase {
    func testH5pyReadsAnIngestedHarnessExport() throws {
        let probability = path("probability.h5"), binary = path("binary.h5"), normalised = path("normalised.h5")
        for (out, extra) in [(probability, []), (binary, ["--response", "binary"]), (normalised, ["--length-normalised"])] {
            let r = try Launcher.irsl(["ingest", "lm-eval", IngestCLITestCase.harnessRoot, "--output", out] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let r = try python(#"""
        import glob, json, os, re, sys
        import h5py, numpy as np
        source, probability, binary, normalised = sys.argv[1:5]

        # What the exports say, read with Python's json module.
        expected = {}
        for path in sorted(glob.glob(os.path.join(source, "samples_*.jsonl"))):
            task = re.match(r"samples_(.+)_\d{4}-\d\d-\d\dT", os.path.basename(path)).group(1)
            for line in open(path):
                r = json.loads(line)
                key = f"{task}/{r['doc_id']}"
                if key in expected:
                    continue                      # gsm8k logs each doc once per filter
                if isinstance(r["filtered_resps"][0], list):
                    ll = np.array([float(x[0]) for x in r["filtered_resps"]])
                    if "winogrande" in task:
                        gold = int(r["doc"]["answer"]) - 1
                    elif "truthfulqa" in task:
                        gold = 0
                    else:
                        gold = int(r["target"])
                    p = np.exp(ll - ll.max()); p /= p.sum()
                    conts = [r["arguments"][f"gen_args_{i}"]["arg_1"] for i in range(len(ll))]
                    lengths = np.array([max(len(c) - c.startswith(" "), 1) for c in conts])
                    q = ll / lengths; q = np.exp(q - q.max()); q /= q.sum()
                    expected[key] = (task, p[gold], float(r["acc"]), q[gold], 1 / len(ll))
                else:
                    em = float(r["exact_match"])
                    expected[key] = (task, em, em, em, 0.0)

        with h5py.File(probability, "r") as f, h5py.File(binary, "r") as b, h5py.File(normalised, "r") as n:
            assert f.attrs["response_kind"] == "probability", f.attrs["response_kind"]
            assert b.attrs["response_kind"] == "binary"
            ids = f["items/id"].asstr()[:]
            assert f["responses"].shape == (1, len(expected)), (f["responses"].shape, len(expected))
            assert f["responses"].dtype == np.dtype("<f4")
            assert f["responses"].maxshape == (None, None), f["responses"].maxshape
            assert list(f["models/name"].asstr()[:]) == ["EleutherAI/pythia-14m"]
            assert list(ids) == list(b["items/id"].asstr()[:]) == list(n["items/id"].asstr()[:])
            assert len(set(ids)) == len(ids)
            keys = [i.rsplit("#", 1)[0] for i in ids]
            hashes = [i.rsplit("#", 1)[1] for i in ids]
            assert all(re.fullmatch(r"[0-9a-f]{12}", h) for h in hashes)
            assert set(keys) == set(expected), set(keys) ^ set(expected)
            bench = f["items/benchmark"].asstr()[:]
            floor = f["items/floor"][:]
            p, acc, q = f["responses"][0], b["responses"][0], n["responses"][0]
            for j, key in enumerate(keys):
                task, ep, eacc, eq, efloor = expected[key]
                assert bench[j] == task, (key, bench[j])
                assert abs(floor[j] - efloor) < 1e-12, (key, floor[j], efloor)
                assert abs(p[j] - ep) < 1e-6, (key, p[j], ep)
                assert acc[j] == eacc, (key, acc[j], eacc)
                assert abs(q[j] - eq) < 1e-6, (key, q[j], eq)
        print("checked", len(expected), "items")
        """#, [IngestCLITestCase.pythiaDirectory, probability, binary, normalised])
        XCTAssertTrue(r.stdout.contains("checked"), r.stdout + r.stderr)
    }

    func testH5pyAndPandasReadAnIngestedTable() throws {
        let out = path("table.h5")
        let r = try Launcher.irsl(["ingest", "table", IngestCLITestCase.leaderboard, "--output", out,
                                   "--model-column", "Model", "--family-column", "Family",
                                   "--params-column", "#Params (B)", "--tokens-column", "Pretraining Data Size (T)",
                                   "--flops-column", "FLOPs (1E21)", "--items-matching", "^(ARC|HellaSwag|MMLU|GSM8K|IFEval|bbh_.*)$",
                                   "--floors", IngestCLITestCase.lowerBounds])
        XCTAssertEqual(r.status, 0, r.stderr)
        let check = try python(#"""
        import sys
        import h5py, numpy as np, pandas as pd
        data, floors, out = sys.argv[1:4]
        d = pd.read_csv(data)
        lb = pd.read_csv(floors)
        items = [c for c in d.columns if c in ("ARC", "HellaSwag", "MMLU", "GSM8K", "IFEval") or c.startswith("bbh_")]
        with h5py.File(out, "r") as f:
            assert f.attrs["response_kind"] == "probability"
            assert f["responses"].shape == (len(d), len(items)), f["responses"].shape
            assert list(f["items/id"].asstr()[:]) == items
            assert list(f["models/name"].asstr()[:]) == list(d["Model"])
            assert list(f["models/family"].asstr()[:]) == list(d["Family"])
            R = f["responses"][:]
            E = d[items].to_numpy(dtype=np.float32)
            assert np.array_equal(np.isnan(R), np.isnan(E))
            assert np.array_equal(R[~np.isnan(R)], E[~np.isnan(E)])
            assert np.allclose(f["items/floor"][:], lb[items].to_numpy()[0])
            for path, column, units, scale in [("models/params", "#Params (B)", "billions", 1e9),
                                               ("models/tokens", "Pretraining Data Size (T)", "trillions", 1e12),
                                               ("models/flops", "FLOPs (1E21)", None, 1e21)]:
                values = f[path][:]
                assert np.array_equal(np.isnan(values), d[column].isna().to_numpy()), path
                assert np.allclose(values[~np.isnan(values)], d[column].dropna().to_numpy()), path
                assert f[path].attrs["source_column"] == column
                assert f[path].attrs["scale"] == scale
                if units: assert f[path].attrs["units"] == units
        print("table ok", R.shape, float(np.isnan(R).mean()))
        """#, [IngestCLITestCase.leaderboard, IngestCLITestCase.lowerBounds, out])
        XCTAssertTrue(check.stdout.contains("table ok"), check.stdout + check.stderr)
    }
}
