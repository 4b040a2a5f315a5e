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
        let result = try ChildProcess.run(checker, [subcommand, path, "--data", "--report"], label: label,
                               timeout: max(timeout, 600))
        switch result {
        case .exited(HDF5Check.Exit.notHDF5, _): return nil
        case .exited(let code, let output) where code == HDF5Check.Exit.sound || code == HDF5Check.Exit.damaged:
            return HDF5CheckReport(encoded: output)
        case .exited(let code, let output):
            throw corrupt(label, "the checker exited with \(code): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        case .signalled(let signal):
            throw corrupt(label, "the HDF5 library crashed reading it: \(ChildProcess.signalName(signal))")
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
            print(report.encoded)
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
        switch try ChildProcess.run(checker, [subcommand, path], label: label, timeout: timeout) {
        case .exited(HDF5Check.Exit.sound, _), .exited(HDF5Check.Exit.notHDF5, _): return
        case .exited(HDF5Check.Exit.damaged, let output):
            throw corrupt(label, output.split(separator: "\n").first.map(String.init) ?? "damage found")
        case .exited(let code, let output):
            throw corrupt(label, "the checker exited with \(code): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        case .signalled(let signal):
            throw corrupt(label, "the HDF5 library crashed reading its metadata: \(ChildProcess.signalName(signal))")
        case .timedOut(let seconds):
            throw corrupt(label, "reading its metadata did not finish within \(Int(seconds)) s")
        }
    }

    /// "device:inode:size:mtime" of the file, or nil when it cannot be stat'ed.
    private static func identity(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }
}
