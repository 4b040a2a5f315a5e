import Foundation
import XCTest

/// Full disk for `fit`, `simulate`, `ingest`, `report` and checkpoints: a
/// clear error, a non-zero exit (never a crash), no new file left behind,
/// and an existing output left exactly as it was.
///
/// The disk is a 3 MB tmpfs the test mounts, filled to leave a few KB; where
/// mounting is not allowed, a file-size limit (RLIMIT_FSIZE, with SIGXFSZ
/// ignored so writes fail with EFBIG) stands in; where neither works the
/// test is skipped with a message.
final class FullDiskTests: XCTestCase {
    var dir: URL!
    var small: SmallDisk!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
        small = try SmallDisk(under: dir)
    }

    override func tearDownWithError() throws {
        small?.unmount()
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Simulates a 200 × 1000 Bernoulli file outside the small disk.
    func simulated() throws -> String {
        let data = path("data.h5")
        let r = try Launcher.irsl(["simulate", "--models", "200", "--items", "1000", "--benchmarks", "4",
                                   "--response", "bernoulli", "--seed", "3", "--output", data])
        XCTAssertEqual(r.status, 0, r.stderr)
        return data
    }

    /// Asserts a clean failure: exit 1 (no signal), the message names `file`, and says why.
    func assertCleanFailure(_ r: Launcher.Result, naming file: String, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, "expected exit 1, got \(r.status) (≥ 128 is a crash)\n\(r.stderr)", line: line)
        XCTAssertTrue(r.stderr.contains(file), "the error names \(file):\n\(r.stderr)", line: line)
        XCTAssertTrue(r.stderr.contains("No space left on device") || r.stderr.contains("File too large")
                      || r.stderr.contains("errno = 28") || r.stderr.contains("errno = 27"),
                      "the error says the disk is full:\n\(r.stderr)", line: line)
    }

    func testFitLeavesNoOutputAndKeepsTheOldOne() throws {
        let data = try simulated()
        let out = small.path("fit.h5")
        let outputs = [out, out + ".abilities.csv", out + ".items.csv"]
        let fitArgs = ["fit", data, "--output", out, "--max-iterations", "5", "--overwrite"]
        XCTAssertEqual(try Launcher.irsl(fitArgs).status, 0)
        let before = try outputs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

        try small.fill(leaving: 40_000)
        let failed = try small.run(fitArgs)
        assertCleanFailure(failed, naming: out)
        XCTAssertEqual(try small.listing(), ["fit.h5", "fit.h5.abilities.csv", "fit.h5.items.csv"], "no temporary file remains")
        XCTAssertEqual(try outputs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, before, "the old output is untouched")

        for p in outputs { try FileManager.default.removeItem(atPath: p) }
        try small.fill(leaving: 40_000)
        assertCleanFailure(try small.run(fitArgs), naming: out)
        XCTAssertEqual(try small.listing(), [], "a failed fit leaves no output at all")
    }

    /// The bytes of every file on the small disk (its state before a failing command).
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try small.listing() { files[name] = try Data(contentsOf: URL(fileURLWithPath: small.path(name))) }
        return files
    }

    func testSimulateFailsCleanly() throws {
        let out = small.path("sim.h5")
        try small.fill(leaving: 100_000)
        let r = try small.run(["simulate", "--models", "300", "--items", "1000", "--response", "bernoulli", "--output", out])
        assertCleanFailure(r, naming: out)
        XCTAssertEqual(try small.listing(), [])
    }

    /// simulate replaces its output: on a full disk the old one stays as it was.
    func testSimulateKeepsTheOldOutput() throws {
        let out = small.path("sim.h5")
        XCTAssertEqual(try small.run(["simulate", "--models", "20", "--items", "50", "--response", "bernoulli", "--output", out]).status, 0)
        let before = try snapshot()
        try small.fill(leaving: 100_000)
        let r = try small.run(["simulate", "--models", "300", "--items", "1000", "--response", "bernoulli", "--output", out])
        assertCleanFailure(r, naming: out)
        XCTAssertEqual(try snapshot(), before, "no new file, the old output untouched")
    }

    func testIngestNewAndAppendFailCleanly() throws {
        // A table of 30 models × 2000 items (480 KB of responses).
        var csv = "model," + (0..<2000).map { "q\($0)" }.joined(separator: ",") + "\n"
        for m in 0..<30 { csv += "m\(m)," + (0..<2000).map { String(format: "%.3f", Double(($0 * 7 + m) % 1000) / 1000) }.joined(separator: ",") + "\n" }
        let table = path("table.csv")
        try csv.write(toFile: table, atomically: true, encoding: .utf8)
        let one = path("one.csv")
        try ("model,q0,q1\nbase,0.5,0.25\n").write(toFile: one, atomically: true, encoding: .utf8)

        let out = small.path("all.h5")
        XCTAssertEqual(try Launcher.irsl(["ingest", "table", one, "--output", out]).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        try small.fill(leaving: 60_000)
        let appended = try small.run(["ingest", "table", table, "--output", out, "--append"])
        assertCleanFailure(appended, naming: out)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), before, "the existing file is untouched")
        XCTAssertEqual(try small.listing(), ["all.h5", "all.h5.lock"])

        let fresh = small.path("new.h5")
        assertCleanFailure(try small.run(["ingest", "table", table, "--output", fresh]), naming: fresh)
        XCTAssertEqual(try small.listing(), ["all.h5", "all.h5.lock"])
    }

    func testReportFailsCleanly() throws {
        let data = try simulated()
        let fit = path("fit.h5")
        XCTAssertEqual(try Launcher.irsl(["fit", data, "--output", fit, "--max-iterations", "5"]).status, 0)
        let out = small.path("report.html")
        try small.fill(leaving: 8_000)
        assertCleanFailure(try small.run(["report", fit, "--output", out]), naming: out)
        XCTAssertEqual(try small.listing(), [])

        // An older report of the same name stays as it was.
        small.unfill()
        XCTAssertEqual(try small.run(["report", fit, "--output", out]).status, 0)
        let before = try snapshot()
        try small.fill(leaving: 8_000)
        assertCleanFailure(try small.run(["report", fit, "--output", out]), naming: out)
        XCTAssertEqual(try snapshot(), before, "no new file, the old report untouched")
    }

    func testCheckpointFailsCleanly() throws {
        let data = try simulated()
        let checkpoint = small.path("fit.ckpt")
        try small.fill(leaving: 8_000)
        let r = try small.run(["fit", data, "--output", path("fit.h5"), "--checkpoint", checkpoint,
                               "--checkpoint-every", "0", "--max-iterations", "5"])
        assertCleanFailure(r, naming: checkpoint)
        XCTAssertEqual(try small.listing(), [], "no checkpoint or temporary file remains")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("fit.h5")))

        // Checkpoints of an earlier run stay as they were when the next one cannot be written.
        small.unfill()
        XCTAssertEqual(try small.run(["fit", data, "--output", path("first.h5"), "--checkpoint", checkpoint,
                                      "--checkpoint-every", "0", "--max-iterations", "3"]).status, 0)
        let before = try snapshot()
        XCTAssertFalse(before.isEmpty, "the first fit left its checkpoint")
        try small.fill(leaving: 8_000)
        let again = try small.run(["fit", data, "--output", path("second.h5"), "--checkpoint", checkpoint,
                                   "--checkpoint-every", "0", "--max-iterations", "5"])
        assertCleanFailure(again, naming: checkpoint)
        XCTAssertEqual(try snapshot(), before, "the earlier checkpoints untouched, no temporary file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("second.h5")))
    }
}

/// A small file system for full-disk tests: a 3 MB tmpfs when mounting is
/// allowed, else a directory with a per-process file-size limit.
final class SmallDisk {
    let root: URL
    private var mounted = false
    private let filler: String
    /// Bytes a file may reach when the file-size limit stands in for a full disk.
    private var sizeLimit: Int?

    init(under parent: URL) throws {
        root = parent.appendingPathComponent("small-disk")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        filler = parent.appendingPathComponent("small-disk-filler-marker").path
        let r = try Launcher.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", root.path], timeout: 20)
        if r.status == 0 {
            mounted = true
        } else {
            let probe = try Launcher.run(["bash", "-c", "trap '' XFSZ; ulimit -f 1 && head -c 4096 /dev/zero > \(root.path)/probe; echo $?"], timeout: 20)
            try? FileManager.default.removeItem(atPath: root.appendingPathComponent("probe").path)
            try XCTSkipUnless(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0",
                              "neither a tmpfs mount (\(r.stderr)) nor RLIMIT_FSIZE works here: full-disk tests skipped")
            print("note: cannot mount a tmpfs (\(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); using RLIMIT_FSIZE instead")
        }
    }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Files on the small disk, without the filler.
    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0 != ".filler" }.sorted()
    }

    /// Fills the disk so that about `bytes` remain free (or limits file sizes to `bytes`).
    func fill(leaving bytes: Int) throws {
        let fillerPath = path(".filler")
        guard mounted else { sizeLimit = bytes; return }
        try? FileManager.default.removeItem(atPath: fillerPath)
        var st = statvfs()
        statvfs(root.path, &st)
        let free = Int(st.f_bavail) * Int(st.f_frsize)
        let size = max(0, free - bytes)
        let r = try Launcher.run(["bash", "-c", "head -c \(size) /dev/zero > '\(fillerPath)'"], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// Frees the disk again (removes the filler, lifts the size limit).
    func unfill() {
        sizeLimit = nil
        try? FileManager.default.removeItem(atPath: path(".filler"))
    }

    /// Runs irsl with the disk full.
    func run(_ arguments: [String]) throws -> Launcher.Result {
        if let sizeLimit {
            let blocks = max(1, sizeLimit / 1024)
            let quoted = ([Launcher.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            return try Launcher.run(["bash", "-c", "trap '' XFSZ; ulimit -f \(blocks); exec " + quoted.joined(separator: " ")], timeout: 120)
        }
        return try Launcher.irsl(arguments, timeout: 120)
    }

    func unmount() {
        if mounted { _ = try? Launcher.run(["umount", "-l", root.path], timeout: 20) }
        mounted = false
    }
}
