import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A short-lived child process whose crash or hang is an outcome, not ours:
/// how irsl runs code that may crash by design on bad input (libhdf5 on a
/// corrupted file, `HDF5Guard`; toml++ on some malformed configs, `irsl fit
/// --config`). `posix_spawn` (vfork + exec) rather than `fork`, since the
/// parent may be an initialised MPI rank; the launcher's `OMPI_*`/`PMIX_*`
/// variables stay with the parent.
public enum ChildProcess {
    public enum Outcome {
        case exited(Int32, String)
        case signalled(Int32)
        case timedOut(Double)
    }

    /// Runs `executable arguments…` with stdout and stderr captured (first
    /// 1 MiB), killing it after `timeout` seconds.
    public static func run(_ executable: String, _ arguments: [String], label: String, timeout: Double) throws -> Outcome {
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
            throw StoreError(file: label, field: "", message: "cannot start the checker \(executable): \(errnoText(status))")
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


    public static func signalName(_ signal: Int32) -> String {
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
}
