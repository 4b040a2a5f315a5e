import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one guarded way into an existing HDF5 file: before `H5File` opens a
/// file, `HDF5Guard.check` has a short-lived child process read its whole
/// structure (`HDF5Check`); a crash or a hang there becomes
/// `FILE: the HDF5 file is corrupt (…)` here, and damage the child finds
/// (a checksum mismatch, a chunk outside the file) is reported the same way.
///
/// Why a child process: libhdf5 1.10 segfaults or loops on some corrupted
/// metadata, and a signal handler cannot recover a library in an unknown
/// state. Why `posix_spawn` of the irsl executable itself (hidden command
/// `irsl __check-hdf5 FILE`) rather than `fork`: `irsl fit` has already
/// called `MPI_Init`, and forking an initialised OpenMPI process is unsafe;
/// `posix_spawn` starts a fresh program (vfork + exec) with the launcher's
/// `OMPI_*`/`PMIX_*` variables removed, so the child never touches MPI.
///
/// Each file is checked once per process (keyed by device, inode, size and
/// modification time), so the many opens of one command cost one child.
/// Where no checker executable is known (library use, unit tests) the check
/// runs in-process (`inProcessFallback`), which still bounds every size but
/// cannot survive a library crash.
public enum HDF5Guard {
    nonisolated(unsafe) private static var configuredChecker: String?? = nil
    nonisolated(unsafe) private static var verified = Set<String>()
    private static let lock = NSLock()

    /// Seconds the child may take before the file is declared corrupt
    /// (`IRSL_HDF5_CHECK_TIMEOUT` overrides; default 30).
    nonisolated(unsafe) public static var timeout: Double =
        ProcessInfo.processInfo.environment["IRSL_HDF5_CHECK_TIMEOUT"].flatMap(Double.init) ?? 30

    /// Whether the check runs in-process when no checker executable is known.
    nonisolated(unsafe) public static var inProcessFallback = true

    /// The executable that implements `__check-hdf5`: `IRSL_HDF5_CHECKER`
    /// when set ("" turns the child off), else the one `useThisExecutable`
    /// named (the irsl binary itself), else this process's own executable
    /// when it is called `irsl`, else nil.
    public static var checker: String? {
        get {
            lock.lock(); defer { lock.unlock() }
            if let configured = configuredChecker { return configured }
            let value: String?
            if let env = ProcessInfo.processInfo.environment["IRSL_HDF5_CHECKER"] {
                value = env.isEmpty ? nil : env
            } else if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
                      (exe as NSString).lastPathComponent == "irsl" {
                value = exe
            } else {
                value = nil
            }
            configuredChecker = .some(value)
            return value
        }
        set {
            lock.lock(); defer { lock.unlock() }
            configuredChecker = .some(newValue)
            verified.removeAll()
        }
    }

    /// Makes this process's own executable the checker (unless
    /// `IRSL_HDF5_CHECKER` says otherwise); the irsl executable calls it first.
    public static func useThisExecutable() {
        guard ProcessInfo.processInfo.environment["IRSL_HDF5_CHECKER"] == nil,
              let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        checker = exe
    }

    /// The hidden subcommand's name.
    public static let subcommand = "__check-hdf5"

    /// Checks `path` unless this process already checked this version of it.
    /// Throws `StoreError(file: label, …"the HDF5 file is corrupt (…)")`.
    /// Returns quietly for a missing or non-HDF5 file: `H5File` reports those.
    public static func check(_ path: String, label: String) throws {
        guard let key = identity(path) else { return }
        lock.lock()
        let known = verified.contains(key)
        lock.unlock()
        if known { return }
        if let checker {
            try checkInChild(path, label: label, checker: checker, readData: false)
        } else if inProcessFallback {
            if let report = HDF5Check.run(path, readData: false), let first = report.damage.first {
                throw corrupt(label, first)
            }
        }
        lock.lock()
        verified.insert(key)
        lock.unlock()
    }

    /// `irsl info --verify`: reads everything, data included, in a child
    /// (or in-process without a checker). Returns the report, or throws when
    /// the child crashed or timed out; nil when the file is not HDF5.
    public static func verify(_ path: String, label: String) throws -> HDF5Check.Report? {
        guard let checker else { return HDF5Check.run(path, readData: true) }
        let result = try spawn(checker, [subcommand, path, "--data", "--report"], label: label,
                               timeout: max(timeout, 600))
        switch result {
        case .exited(HDF5Check.Exit.notHDF5, _): return nil
        case .exited(let code, let output) where code == HDF5Check.Exit.sound || code == HDF5Check.Exit.damaged:
            return HDF5Guard.decode(output)
        case .exited(let code, let output):
            throw corrupt(label, "the checker exited with \(code): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        case .signalled(let signal):
            throw corrupt(label, "the HDF5 library crashed reading it: \(signalName(signal))")
        case .timedOut(let seconds):
            throw corrupt(label, "reading it did not finish within \(Int(seconds)) s")
        }
    }

    /// The child's side of `__check-hdf5`: runs the check, prints damage to
    /// standard error (or, with `report`, the whole report as lines on
    /// standard output) and returns the exit code.
    public static func childMain(path: String, readData: Bool, report printReport: Bool) -> Int32 {
        guard let report = HDF5Check.run(path, readData: readData) else { return HDF5Check.Exit.notHDF5 }
        if printReport {
            print(encode(report))
        } else if let first = report.damage.first {
            FileHandle.standardError.write(Data((first + "\n").utf8))
        }
        return report.damage.isEmpty ? HDF5Check.Exit.sound : HDF5Check.Exit.damaged
    }

    // MARK: - Implementation

    static func corrupt(_ label: String, _ why: String) -> StoreError {
        StoreError(file: label, field: "", message: "the HDF5 file is corrupt (\(why))")
    }

    private static func checkInChild(_ path: String, label: String, checker: String, readData: Bool) throws {
        switch try spawn(checker, [subcommand, path], label: label, timeout: timeout) {
        case .exited(HDF5Check.Exit.sound, _), .exited(HDF5Check.Exit.notHDF5, _): return
        case .exited(HDF5Check.Exit.damaged, let output):
            throw corrupt(label, output.split(separator: "\n").first.map(String.init) ?? "damage found")
        case .exited(let code, let output):
            throw corrupt(label, "the checker exited with \(code): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        case .signalled(let signal):
            throw corrupt(label, "the HDF5 library crashed reading its metadata: \(signalName(signal))")
        case .timedOut(let seconds):
            throw corrupt(label, "reading its metadata did not finish within \(Int(seconds)) s")
        }
    }

    enum Outcome {
        case exited(Int32, String)
        case signalled(Int32)
        case timedOut(Double)
    }

    /// Runs `executable arguments…` with stdout and stderr captured (first
    /// 1 MiB), killing it after `timeout` seconds.
    static func spawn(_ executable: String, _ arguments: [String], label: String, timeout: Double) throws -> Outcome {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            throw StoreError(file: label, field: "", message: "cannot check the file: pipe: \(errnoText())")
        }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The launcher's variables stay with the parent: the child must not look like an MPI rank.
        let environment = ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("OMPI_") && !$0.key.hasPrefix("PMIX_") && !$0.key.hasPrefix("PMI_") }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environment)
        close(writeEnd)
        guard status == 0 else {
            close(readEnd)
            throw StoreError(file: label, field: "", message: "cannot start the HDF5 checker \(executable): \(errnoText(status))")
        }
        defer { close(readEnd) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        func drain() {
            while true {
                let n = read(readEnd, &chunk, chunk.count)
                guard n > 0 else { return }
                if output.count < 1 << 20 { output += chunk[0..<n] }
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        var waitStatus: Int32 = 0
        while true {
            drain()
            let done = waitpid(pid, &waitStatus, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                throw StoreError(file: label, field: "", message: "cannot check the file: waitpid: \(errnoText())")
            }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
                return .timedOut(timeout)
            }
            usleep(2000)
        }
        drain()
        let text = String(decoding: output, as: UTF8.self)
        let signal = waitStatus & 0x7f
        if signal != 0 { return .signalled(signal) }
        return .exited((waitStatus >> 8) & 0xff, text)
    }

    /// "device:inode:size:mtime" of the file, or nil when it cannot be stat'ed.
    private static func identity(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: return "signal 11, SIGSEGV"
        case SIGBUS: return "signal \(SIGBUS), SIGBUS"
        case SIGABRT: return "signal \(SIGABRT), SIGABRT"
        case SIGFPE: return "signal \(SIGFPE), SIGFPE"
        case SIGILL: return "signal \(SIGILL), SIGILL"
        case SIGTRAP: return "signal \(SIGTRAP), SIGTRAP"
        default: return "signal \(signal)"
        }
    }

    /// The report as lines `key<TAB>value` (what `--report` prints).
    static func encode(_ r: HDF5Check.Report) -> String {
        var lines = ["datasets\t\(r.datasets)", "groups\t\(r.groups)", "attributes\t\(r.attributes)",
                     "bytes\t\(r.bytesRead)"]
        lines += r.checksummed.map { "checksummed\t\($0)" }
        lines += r.skippedData.map { "skipped\t\($0)" }
        lines += r.damage.map { "damage\t\($0.replacingOccurrences(of: "\n", with: " "))" }
        return lines.joined(separator: "\n")
    }

    static func decode(_ text: String) -> HDF5Check.Report {
        var r = HDF5Check.Report()
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "datasets": r.datasets = Int(parts[1]) ?? 0
            case "groups": r.groups = Int(parts[1]) ?? 0
            case "attributes": r.attributes = Int(parts[1]) ?? 0
            case "bytes": r.bytesRead = Int(parts[1]) ?? 0
            case "checksummed": r.checksummed.append(parts[1])
            case "skipped": r.skippedData.append(parts[1])
            case "damage": r.damage.append(parts[1])
            default: break
            }
        }
        return r
    }
}
