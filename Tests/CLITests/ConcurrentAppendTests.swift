import Foundation
import XCTest

/// What a Slurm array of `jobs/ingest.sbatch` does: many `irsl ingest
/// --append` into one file at the same time. Every append must land (the
/// lock on `<file>.lock` serialises the read-modify-write) and the file must
/// stay valid.
final class ConcurrentAppendTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func table(_ name: String, model: String, items: Range<Int>) throws -> String {
        let p = path(name)
        let header = "model," + items.map { "q\($0)" }.joined(separator: ",")
        let row = model + "," + items.map { String(format: "%.2f", Double($0 % 10) / 10) }.joined(separator: ",")
        try (header + "\n" + row + "\n").write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    /// A one-model lm-evaluation-harness export (`<dir>/org__<model>/samples_gsm8k_….jsonl`)
    /// answering `docs` gsm8k questions: what one task of a Slurm array ingests.
    func harnessExport(_ name: String, model: String, docs: Range<Int>) throws -> String {
        let root = dir.appendingPathComponent(name)
        let modelDir = root.appendingPathComponent("org__\(model)")
        try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
        let lines = docs.map { doc in
            #"{"doc_id": \#(doc), "doc": {"question": "q\#(doc)"}, "target": "a", "filtered_resps": ["x"], "exact_match": \#(doc % 2)}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(to: modelDir.appendingPathComponent("samples_gsm8k_2024-01-01T00-00-00.000001.jsonl"),
                                                      atomically: true, encoding: .utf8)
        return root.path
    }

    /// Eight `irsl ingest FORMAT INPUT --output FILE --append` at once into a
    /// file holding one model (`input(nil)` makes the base's input,
    /// `input(k)` writer k's, one model each, items overlapping so the appends
    /// really rewrite shared datasets); asserts every one exits 0, then that the
    /// file holds all nine models and `items` items and passes `info --verify`,
    /// with no temporary file left.
    func assertEightAppendsLand(_ format: String, items: Int, _ input: (Int?) throws -> String) throws {
        let target = path("all-\(format).h5")
        XCTAssertEqual(try Launcher.irsl(["ingest", format, try input(nil), "--output", target]).status, 0)
        let appends = try (0..<8).map { ["ingest", format, try input($0), "--output", target, "--append"] }
        var results = [Launcher.Result?](repeating: nil, count: appends.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: appends.count) { k in
            let r = try? Launcher.irsl(appends[k], timeout: 120)
            lock.lock(); results[k] = r; lock.unlock()
        }
        for (k, r) in results.enumerated() {
            XCTAssertEqual(r?.status, 0, "append \(k): \(r?.stderr ?? "did not run")")
        }
        let waited = results.compactMap { $0 }.filter { $0.stderr.contains("waiting for the lock on \(target) held by pid ") }
        print("\(format): \(waited.count) of \(appends.count) appends waited for the lock")
        let info = try Launcher.irsl(["info", target])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("\(appends.count + 1) models × \(items) items"), info.stdout)
        let verify = try Launcher.irsl(["info", "--verify", target])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("OK"), verify.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testEightConcurrentAppendsAllLand() throws {
        try assertEightAppendsLand("table", items: 60 + 5 * 7) { k in
            guard let k else { return try self.table("base.csv", model: "base", items: 0..<50) }
            return try self.table("m\(k).csv", model: "model-\(k)", items: (40 + 5 * k)..<(60 + 5 * k))
        }
    }

    /// The issue's case: a Slurm array of `jobs/ingest.sbatch`, eight `irsl ingest lm-eval DIR --append` at once.
    func testEightConcurrentLmEvalAppendsAllLand() throws {
        try assertEightAppendsLand("lm-eval", items: 30 + 3 * 7) { k in
            guard let k else { return try self.harnessExport("base", model: "base", docs: 0..<30) }
            return try self.harnessExport("export-\(k)", model: "model-\(k)", docs: (3 * k)..<(30 + 3 * k))
        }
    }

    /// A waiting append says whom it waits for; `flock` from the shell holds the lock meanwhile.
    func testWaitingAppendSaysWhoHoldsTheLock() throws {
        let target = path("all.h5")
        let base = try table("base.csv", model: "base", items: 0..<5)
        XCTAssertEqual(try Launcher.irsl(["ingest", "table", base, "--output", target]).status, 0)
        let extra = try table("extra.csv", model: "extra", items: 0..<5)
        // The shell writes a holder line like irsl's and keeps the lock until the append says it waits
        // (the event; a polling deadline of 50 s), notes that the append is still running, then releases.
        let err = path("append.err")
        let script = "exec 9>>'\(target).lock'; flock 9; echo 'pid '$$' (host test)' > '\(target).lock'; "
            + "'\(Launcher.binary)' ingest table '\(extra)' --output '\(target)' --append 9>&- 2>'\(err)' & app=$!; "
            + "for i in $(seq 500); do grep -q 'waiting for the lock' '\(err)' && break; sleep 0.1; done; "
            + "grep -q '^State:[[:space:]]*[^Z]' /proc/$app/status && echo 'append still running at release' >&2; "
            + "flock -u 9; wait $app; s=$?; cat '\(err)' >&2; exit $s"
        let r = try Launcher.run(["bash", "-c", script], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("waiting for the lock on \(target) held by pid "), r.stderr)
        XCTAssertTrue(r.stderr.contains("append still running at release"), "the append waited for the holder: \(r.stderr)")
        XCTAssertTrue(try Launcher.irsl(["info", target]).stdout.contains("2 models"))
    }
}
