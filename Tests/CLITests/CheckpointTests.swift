import Calibration
import Foundation
import Store
import XCTest

/// Checkpoint, resume, preemption signals and dying ranks, with real mpirun.
///
/// Every fit here runs a fixed number of iterations (tolerances 0), so an
/// interrupted-and-resumed fit must land exactly where the uninterrupted one
/// does; `reference` is that uninterrupted fit on 2 ranks.
final class CheckpointTests: XCTestCase {
    static let iterations = 120
    static var shared: (dir: URL, input: String, reference: FitResult)?

    var dir: URL { Self.shared!.dir }
    var input: String { Self.shared!.input }
    var reference: FitResult { Self.shared!.reference }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    var fixed: [String] { ["--tolerance", "0", "--parameter-tolerance", "0", "--max-iterations", String(Self.iterations)] }

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        if Self.shared != nil { return }
        let dir = try Launcher.temporaryDirectory()
        let input = dir.appendingPathComponent("ck.h5").path
        let s = try Launcher.irsl(["simulate", "--models", "700", "--items", "5000", "--benchmarks", "4", "--missing", "0.05", "--seed", "17", "--output", input])
        XCTAssertEqual(s.status, 0, s.stderr)
        let out = dir.appendingPathComponent("reference.h5").path
        let r = try Launcher.mpirun(2, ["fit", input, "--output", out, "--tolerance", "0", "--parameter-tolerance", "0", "--max-iterations", String(Self.iterations)])
        XCTAssertEqual(r.status, 0, r.stderr)
        Self.shared = (dir, input, try FitResult.read(out))
    }

    func assertMatchesReference(_ path: String, relative: Double = 1e-9, file: StaticString = #filePath, line: UInt = #line) throws {
        let fit = try FitResult.read(path)
        XCTAssertEqual(fit.attributes.iterations, Self.iterations, file: file, line: line)
        for (name, x, y) in [("theta", fit.theta, reference.theta), ("a", fit.a, reference.a), ("d", fit.d, reference.d), ("phi", fit.phi, reference.phi)] {
            var worst = 0.0
            for (u, v) in zip(x, y) { worst = max(worst, abs(u - v) / max(abs(u), abs(v), 1e-12)) }
            XCTAssertLessThanOrEqual(worst, relative, "\(name): largest relative difference \(worst)", file: file, line: line)
        }
        XCTAssertEqual(fit.logLikelihoodHistory, reference.logLikelihoodHistory.map { $0 }, accuracy: relative, file: file, line: line)
    }

    /// Waits until the checkpoint exists and is past `iteration`.
    func waitForCheckpoint(_ path: String, iteration: Int, timeout: Double = 60) -> Bool {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if let c = try? Checkpoint.read(path), c.header.iteration >= iteration { return true }
            usleep(50_000)
        }
        return false
    }

    func resume(_ output: String, checkpoint: String, ranks: Int = 2) throws -> Launcher.Result {
        try Launcher.mpirun(ranks, ["fit", input, "--output", output, "--checkpoint", checkpoint, "--resume"] + fixed)
    }

    // MARK: -

    func testStopAtIterationLimitThenResumeEqualsUninterrupted() throws {
        let ck = path("limit.ckpt"), out = path("limit.h5")
        let first = try Launcher.mpirun(2, ["fit", input, "--output", path("limit-partial.h5"), "--checkpoint", ck,
                                            "--tolerance", "0", "--parameter-tolerance", "0", "--max-iterations", "30"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try Checkpoint.read(ck).header.iteration, 30)
        let second = try resume(out, checkpoint: ck)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("resumed from"), second.stdout)
        try assertMatchesReference(out)
    }

    func testUSR1ToMpirunCheckpointsAndExits75() throws {
        let ck = path("usr1.ckpt"), out = path("usr1.h5")
        let run = try Launcher.startMPI(2, ["fit", input, "--output", out, "--checkpoint", ck, "--checkpoint-every", "0"] + fixed)
        XCTAssertTrue(waitForCheckpoint(ck, iteration: 5))
        kill(run.mpirunPID!, SIGUSR1)
        let r = try XCTUnwrap(run.wait(within: 10), "still running 10 s after SIGUSR1")
        XCTAssertEqual(r.status, CalibrationJob.ExitCode.checkpointed, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("checkpoint of iteration"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let header = try Checkpoint.read(ck).header
        XCTAssertEqual(header.reason, "signal")
        XCTAssertLessThan(header.iteration, Self.iterations)
        let again = try resume(out, checkpoint: ck)
        XCTAssertEqual(again.status, 0, again.stderr)
        try assertMatchesReference(out)
    }

    func testSIGTERMToOneRankIsAgreedByAll() throws {
        let ck = path("term1.ckpt"), out = path("term1.h5")
        let run = try Launcher.startMPI(2, ["fit", input, "--output", out, "--checkpoint", ck] + fixed)
        // Rank 0 prints a progress line after each iteration: the fit (and its signal handlers) are running.
        XCTAssertTrue(run.waitForLine(startingWith: "iter ", within: 60), "no progress line:\n\(run.stdoutSoFar)")
        guard let rank1 = Launcher.rankPID(1, under: run.process.processIdentifier) else { return XCTFail("rank 1 not found") }
        kill(rank1, SIGTERM)
        let r = run.wait()
        XCTAssertEqual(r.status, CalibrationJob.ExitCode.checkpointed, r.stdout + r.stderr)
        XCTAssertEqual(try Checkpoint.read(ck).header.reason, "signal")
        let again = try resume(out, checkpoint: ck)
        XCTAssertEqual(again.status, 0, again.stderr)
        try assertMatchesReference(out)
    }

    /// SIGTERM to mpirun: mpirun forwards it to the ranks, which finish the
    /// iteration and checkpoint before mpirun's kill follows. mpirun then
    /// exits 1 by its own rule; the checkpoint is what matters.
    func testSIGTERMToMpirunWritesCheckpointWithinTenSeconds() throws {
        let ck = path("term.ckpt"), out = path("term.h5")
        let run = try Launcher.startMPI(2, ["fit", input, "--output", out, "--checkpoint", ck, "--checkpoint-every", "0"] + fixed)
        XCTAssertTrue(waitForCheckpoint(ck, iteration: 5))
        kill(run.mpirunPID!, SIGTERM)
        let r = try XCTUnwrap(run.wait(within: 10), "still running 10 s after SIGTERM")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(try Checkpoint.read(ck).header.reason, "signal", r.stdout + r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let again = try resume(out, checkpoint: ck)
        XCTAssertEqual(again.status, 0, again.stderr)
        try assertMatchesReference(out)
    }

    func testKillNineOfARankEndsTheJobFastAndResumeRecovers() throws {
        let ck = path("kill.ckpt"), out = path("kill.h5")
        let run = try Launcher.startMPI(2, ["fit", input, "--output", out, "--checkpoint", ck, "--checkpoint-every", "0"] + fixed)
        XCTAssertTrue(waitForCheckpoint(ck, iteration: 5))
        guard let rank1 = Launcher.rankPID(1, under: run.process.processIdentifier) else { return XCTFail("rank 1 not found") }
        kill(rank1, SIGKILL)
        let r = try XCTUnwrap(run.wait(within: 5), "the job still ran 5 s after a rank was killed")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertNotEqual(r.status, 124, "hung until the timeout")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".items.csv"))
        let again = try resume(out, checkpoint: ck)
        XCTAssertEqual(again.status, 0, again.stderr)
        try assertMatchesReference(out)
    }

    /// A damaged newest checkpoint (truncated, or one flipped byte) is
    /// detected and the previous one is used, with a message.
    func testDamagedCheckpointFallsBackToPrevious() throws {
        for damage in ["truncate", "flip"] {
            let ck = path("\(damage).ckpt"), out = path("\(damage).h5")
            let first = try Launcher.mpirun(2, ["fit", input, "--output", path("\(damage)-partial.h5"), "--checkpoint", ck, "--checkpoint-every", "0",
                                                "--tolerance", "0", "--parameter-tolerance", "0", "--max-iterations", "20"])
            XCTAssertEqual(first.status, 0, first.stderr)
            XCTAssertEqual(try Checkpoint.read(ck + ".prev").header.iteration, 20)   // the final write moved iteration 20's periodic one aside
            var data = try Data(contentsOf: URL(fileURLWithPath: ck))
            if damage == "truncate" { data = data.prefix(data.count / 2) } else { data[data.count / 3] ^= 0x10 }
            try data.write(to: URL(fileURLWithPath: ck))
            XCTAssertThrowsError(try Checkpoint.read(ck))
            let r = try resume(out, checkpoint: ck)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("corrupt checkpoint") && r.stdout.contains("using the previous checkpoint"), r.stdout)
            try assertMatchesReference(out)
        }
    }

    func testResumeOnTwoRanksFromThreeRankCheckpoint() throws {
        let ck = path("three.ckpt"), out = path("three.h5")
        let first = try Launcher.mpirun(3, ["fit", input, "--output", path("three-partial.h5"), "--checkpoint", ck,
                                            "--tolerance", "0", "--parameter-tolerance", "0", "--max-iterations", "25"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(try Checkpoint.read(ck).header.ranks, 3)
        let r = try resume(out, checkpoint: ck, ranks: 2)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Different rank counts sum in a different order: equal up to rounding.
        try assertMatchesReference(out, relative: 1e-6)
    }

    func testCheckpointOfAnotherInputOrOptionsIsRefused() throws {
        let ck = path("refuse.ckpt")
        let first = try Launcher.mpirun(2, ["fit", input, "--output", path("refuse-partial.h5"), "--checkpoint", ck, "--max-iterations", "3"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let other = path("other.h5")
        XCTAssertEqual(try Launcher.irsl(["simulate", "--models", "700", "--items", "5000", "--benchmarks", "4", "--seed", "99", "--output", other]).status, 0)
        let r1 = try Launcher.mpirun(2, ["fit", other, "--output", path("refuse1.h5"), "--checkpoint", ck, "--resume"], timeout: 60)
        XCTAssertEqual(r1.status, 1)
        XCTAssertTrue(r1.stderr.contains("another input") && r1.stderr.contains("sampled rows"), r1.stderr)
        let r2 = try Launcher.mpirun(2, ["fit", input, "--output", path("refuse2.h5"), "--checkpoint", ck, "--resume", "--model", "1pl"], timeout: 60)
        XCTAssertEqual(r2.status, 1)
        XCTAssertTrue(r2.stderr.contains("option model"), r2.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("refuse1.h5")))
    }
}

private func XCTAssertEqual(_ x: [Double], _ y: [Double], accuracy relative: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(x.count, y.count, "history length", file: file, line: line)
    for (u, v) in zip(x, y) {
        XCTAssertEqual(u, v, accuracy: relative * max(abs(u), abs(v)), "log-likelihood history", file: file, line: line)
    }
}
