import Foundation
import XCTest

/// `irsl ingest inspect` as a user runs it: the nl2bash logs into one
/// file that `irsl fit` calibrates, a crashed run read from its journal,
/// the proportion file read back with h5py, and a damaged log refused.
final class IngestInspectCLITests: IngestCLITestCase {
    static var inspect: String { data.appendingPathComponent("harness-exports/inspect_ai").path }
    static var nl2bash: String { inspect + "/sean-peters-au__cyber-task-horizons/published/benchmarks/nl2bash" }
    static var streaming: String { inspect + "/UKGovernmentBEIS__inspect_ai/tests/log/test_eval_log/log_streaming.eval" }

    func testNl2bashIngestsIntoOneFileThatFits() throws {
        let out = path("nl2bash.h5")
        let r = try Launcher.irsl(["ingest", "inspect", IngestInspectCLITests.nl2bash, "--output", out,
                                   "--same-questions", "nl2bash_completion_task=nl2bash_chat_task"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("9 models × 136 items, response_kind probability"), r.stdout)
        let info = try Launcher.irsl(["info", out])
        XCTAssertEqual(IngestCLITestCase.infoValue(info.stdout, "missing"), "0.00%", info.stdout)
        let fit = try Launcher.irsl(["fit", out, "--output", path("fit.h5")])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        // o3 (0.911) must rank above gpt2-xl (0.013).
        let py = try python(#"""
        import sys, pandas as pd
        a = pd.read_csv(sys.argv[1])
        col = [c for c in a.columns if c.startswith("theta")][0]
        t = dict(zip(a.iloc[:, 0], a[col]))
        assert t["openai/o3-2025-04-16"] > t["openai/gpt2-xl"], t
        print("ok")
        """#, [path("fit.h5") + ".abilities.csv"])
        XCTAssertEqual(py.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
    }

    /// A log without header.json (a crashed run) is read from its journal, with a warning.
    func testCrashedRunFallsBackToTheJournal() throws {
        let crashed = path("crashed.eval")
        _ = try python(#"""
        import sys, zipfile
        src, dst = sys.argv[1:3]
        with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as o:
            for n in z.namelist():
                if n not in ("header.json", "summaries.json", "reductions.json"):
                    o.writestr(n, z.read(n))
        """#, [IngestInspectCLITests.streaming, crashed])
        let out = path("crashed.h5")
        let r = try Launcher.irsl(["ingest", "inspect", crashed, "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("no header.json"), r.stdout)
        XCTAssertTrue(r.stdout.contains("_journal/start.json"), r.stdout)
        let py = try python(#"""
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1]) as f:
            assert f.attrs["response_kind"] == "proportion"
            ids = list(f["items/id"].asstr()[:])
            got = dict(zip(ids, zip(f["responses"][0], f["trials"][0])))
            assert got == {"popularity/1": (0.5, 2), "popularity/2": (1.0, 2)}, got
            assert list(f["models/name"].asstr()[:]) == ["azureai/Meta-Llama-3-1-405B-Instruct-jqf"]
        print("ok")
        """#, [out])
        XCTAssertEqual(py.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
    }

    /// A damaged log: an error naming it, a non-zero exit, no output file.
    func testDamagedLogIsRefusedWithoutOutput() throws {
        let bad = path("bad.eval")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: IngestInspectCLITests.streaming))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: bad))
        let out = path("bad.h5")
        let r = try Launcher.irsl(["ingest", "inspect", bad, "--output", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("bad.eval"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
