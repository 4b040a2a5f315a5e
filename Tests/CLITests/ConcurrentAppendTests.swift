import Foundation
import XCTest

/// What a Slurm array of `jobs/ingest.sbatch` does: many `irsl ingest
/// --append` into one file at the same time. Every append must land (the
/// lock on `<file>.lock` serialises the read-modify-write) and the file must
/// stay valid.
final class ConcurrentAppendTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func table(_ name: String, model: String, items: Range<Int>) throws -> String {
        let p = path(name)
        let header = "model," + items.map { "q\($0)" }.joined(separator: ",")
        let row = model + "," + items.map { String(format: "%.2f", Double($0 % 10) / 10) }.joined(separator: ",")
        try (header + "\n" + row + "\n").write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func testEightConcurrentAppendsAllLand() throws {
        let target = path("all.h5")
        let base = try table("base.csv", model: "base", items: 0..<50)
        XCTAssertEqual(try Launcher.irsl(["ingest", "table", base, "--output", target]).status, 0)
        let writers = 8
        // Each brings one model and some new items, so the appends really rewrite shared datasets.
        let inputs = try (0..<writers).map { try table("m\($0).csv", model: "model-\($0)", items: (40 + 5 * $0)..<(60 + 5 * $0)) }
        var results = [Launcher.Result?](repeating: nil, count: writers)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: writers) { k in
            let r = try? Launcher.irsl(["ingest", "table", inputs[k], "--output", target, "--append"], timeout: 120)
            lock.lock(); results[k] = r; lock.unlock()
        }
        for (k, r) in results.enumerated() {
            XCTAssertEqual(r?.status, 0, "append \(k): \(r?.stderr ?? "did not run")")
        }
        let waited = results.compactMap { $0 }.filter { $0.stderr.contains("waiting for the lock on \(target) held by pid ") }
        print("\(waited.count) of \(writers) appends waited for the lock")
        let info = try Launcher.irsl(["info", target])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertTrue(info.stdout.contains("\(writers + 1) models × \(60 + 5 * (writers - 1)) items"), info.stdout)
        let verify = try Launcher.irsl(["info", "--verify", target])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("OK"), verify.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    /// A waiting append says whom it waits for; `flock` from the shell holds the lock meanwhile.
    func testWaitingAppendSaysWhoHoldsTheLock() throws {
        let target = path("all.h5")
        let base = try table("base.csv", model: "base", items: 0..<5)
        XCTAssertEqual(try Launcher.irsl(["ingest", "table", base, "--output", target]).status, 0)
        let extra = try table("extra.csv", model: "extra", items: 0..<5)
        // The shell writes a holder line like irsl's, keeps the lock 2 s, then lets the append run.
        let script = "exec 9>>'\(target).lock'; flock 9; echo 'pid '$$' (host test)' > '\(target).lock'; "
            + "( sleep 2; flock -u 9 ) & '\(Launcher.binary)' ingest table '\(extra)' --output '\(target)' --append 9>&-"
        let r = try Launcher.run(["bash", "-c", script], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("waiting for the lock on \(target) held by pid "), r.stderr)
        XCTAssertGreaterThan(r.seconds, 1.5, "the append waited for the holder")
        XCTAssertTrue(try Launcher.irsl(["info", target]).stdout.contains("2 models"))
    }
}
