import Foundation
import XCTest

/// Runs the built `irsl` (and `mpirun irsl`) as a user would, from a test.
///
/// Two rules from running MPI inside a test process: the child's
/// environment must not inherit OMPI_/PMIX_/ORTE_/OPAL_ variables (a nested
/// mpirun would join the wrong job), and every launch is wrapped in
/// `timeout -k 10 N`, so a hang fails the test instead of blocking CI.
enum Launcher {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        /// `timeout` ended it (124; 137 when its -k kill was needed): the command hung.
        var timedOut: Bool { status == 124 || status == 137 }
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The release binary `make test` builds (IRSL_BIN overrides).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["IRSL_BIN"] { return path }
        return packageRoot.appendingPathComponent(".build/release/irsl").path
    }

    /// The words every tier skip starts with; scripts/test-summary.sh fails
    /// `make test` when it finds them, since there nothing may be skipped.
    static let tierSkip = "CLI tier not requested"

    /// The tests of this target launch the built irsl (and mpirun, Slurm,
    /// Chromium): the slow tier. They run when IRSL_BIN names the binary, as
    /// `make test` does; a plain `swift test` or `make test-unit` (the unit
    /// tier) skips them with this message instead of failing in set-up.
    static func requireCLITier() throws {
        guard ProcessInfo.processInfo.environment["IRSL_BIN"] != nil else {
            throw XCTSkip("\(tierSkip): set IRSL_BIN to the release irsl (make test does) to run the tests that launch irsl, mpirun, Slurm or Chromium")
        }
    }

    static var cleanEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_", "PMIX_", "ORTE_", "OPAL_"].contains { key.hasPrefix($0) }
        }
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        // Waiting ranks spin; on 2 cores with up to 4 ranks, yield instead.
        env["OMPI_MCA_mpi_yield_when_idle"] = "1"
        return env
    }

    static func run(_ arguments: [String], timeout: Int = 300, cwd: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-k", "10", String(timeout)] + arguments
        process.environment = cleanEnvironment
        if let cwd { process.currentDirectoryURL = cwd }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        try process.run()
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }

    /// A launch that runs while the test acts on it (signals, kills). Its
    /// output is read as it comes, so a test can wait for a line (an event)
    /// instead of sleeping, and wait for the exit with a deadline.
    final class Running {
        let process: Process
        let start = Date()
        private let out = Pipe(), err = Pipe()
        private var outData = Data(), errData = Data()
        private let lock = NSLock()
        private let drained = DispatchGroup()
        private let exited = DispatchSemaphore(value: 0)
        private var hasExited = false

        init(_ arguments: [String], timeout: Int) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["-k", "10", String(timeout)] + arguments
            process.environment = Launcher.cleanEnvironment
            process.standardOutput = out
            process.standardError = err
            process.terminationHandler = { [exited] _ in exited.signal() }
            try process.run()
            for (pipe, isOut) in [(out, true), (err, false)] {
                drained.enter()
                DispatchQueue.global().async {
                    let handle = pipe.fileHandleForReading
                    while true {
                        let chunk = handle.availableData
                        if chunk.isEmpty { break }
                        self.lock.lock(); if isOut { self.outData += chunk } else { self.errData += chunk }; self.lock.unlock()
                    }
                    self.drained.leave()
                }
            }
        }

        /// The mpirun process (child of `timeout`), when this is an mpirun launch.
        var mpirunPID: pid_t? { Launcher.children(of: process.processIdentifier).first }

        /// Standard output so far.
        var stdoutSoFar: String {
            lock.lock(); defer { lock.unlock() }
            return String(decoding: outData, as: UTF8.self)
        }

        /// Waits until standard output has a line starting with `prefix`; false
        /// if none came within `seconds` or the process ended first.
        func waitForLine(startingWith prefix: String, within seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if stdoutSoFar.split(separator: "\n").contains(where: { $0.hasPrefix(prefix) }) { return true }
                if !process.isRunning { return false }
                usleep(20_000)
            }
            return false
        }

        /// The finished run, or nil when it had not ended within `seconds`
        /// (a hang: it is then stopped through `timeout`, and the test fails).
        func wait(within seconds: Double) -> Result? {
            if !hasExited && exited.wait(timeout: .now() + seconds) == .timedOut {
                kill(process.processIdentifier, SIGTERM)
                _ = wait()
                return nil
            }
            hasExited = true
            return wait()
        }

        func wait() -> Result {
            if !hasExited { exited.wait(); hasExited = true }
            process.waitUntilExit()
            drained.wait()
            lock.lock(); defer { lock.unlock() }
            return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self), seconds: Date().timeIntervalSince(start))
        }
    }

    static func startMPI(_ ranks: Int, _ arguments: [String], mpiOptions: [String] = [], timeout: Int = 300) throws -> Running {
        try Running(["mpirun", "--allow-run-as-root", "--oversubscribe"] + mpiOptions + ["-n", String(ranks), binary] + arguments, timeout: timeout)
    }

    /// Direct children of a process, from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    /// The pid of MPI rank `rank` among the descendants of `root`.
    static func rankPID(_ rank: Int, under root: pid_t) -> pid_t? {
        var queue = [root]
        while let pid = queue.popLast() {
            let kids = children(of: pid)
            queue += kids
            if let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
               String(decoding: env, as: UTF8.self).split(separator: "\0").contains(where: { $0 == "OMPI_COMM_WORLD_RANK=\(rank)" }),
               (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("irsl") == true {
                return pid
            }
        }
        return nil
    }

    static func irsl(_ arguments: [String], timeout: Int = 300) throws -> Result {
        try run([binary] + arguments, timeout: timeout)
    }

    static func mpirun(_ ranks: Int, _ arguments: [String], timeout: Int = 300) throws -> Result {
        try run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", String(ranks), binary] + arguments, timeout: timeout)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("irsl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
