import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a file that several processes modify in turn
/// (`irsl ingest --append` from the tasks of a Slurm array, all into one
/// `all.h5`).
///
/// Why a lock file beside the target (`all.h5.lock`) and not a lock on the
/// target: an update writes a new copy and renames it over the target, so
/// the target's inode changes under a lock held on it, and a process that
/// opened the old inode would lock a file nobody uses any more. The lock
/// file is never renamed or removed (removing it would let two processes
/// hold "the" lock on two different inodes), so it is left in place.
///
/// `flock(2)`: released by the kernel when the process exits or is killed,
/// so a crashed holder never blocks the others. It works on local file
/// systems and on NFSv4 (Linux maps it to a POSIX lock there); Lustre needs
/// the `flock` mount option. The holder writes its pid and host into the
/// lock file so a waiter can say whom it is waiting for.
public final class FileLock {
    /// The lock file.
    public let path: String
    /// The file the lock protects (as named in messages).
    public let target: String
    private var fd: Int32 = -1

    /// `"<target>.lock"`.
    public static func lockPath(for target: String) -> String { target + ".lock" }

    /// Blocks until this process holds the exclusive lock on `target`.
    /// When another process holds it, `waiting` is called once first with
    /// `"waiting for the lock on <target> held by pid N (host H)"`.
    public init(exclusiveOn target: String, waiting: (String) -> Void = FileLock.printToStandardError) throws {
        self.target = target
        self.path = FileLock.lockPath(for: target)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw StoreError(file: target, field: "", message: "cannot create the lock file \(path): \(errnoText())")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                fd = -1
                throw StoreError(file: target, field: "",
                                 message: "cannot lock \(path): \(errnoText(code)) (does the file system support flock?)")
            }
            waiting("waiting for the lock on \(target) held by \(holder())")
            while flock(fd, LOCK_EX) != 0 {
                let code = errno
                guard code == EINTR else {
                    close(fd)
                    fd = -1
                    throw StoreError(file: target, field: "", message: "cannot lock \(path): \(errnoText(code))")
                }
            }
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let note = "pid \(getpid()) (host \(String(cString: host)))\n"
        ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { release() }

    /// Releases the lock (also done when the object goes away or the process ends).
    public func release() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// Who holds the lock, as its holder wrote it ("pid N (host H)").
    private func holder() -> String {
        var buffer = [UInt8](repeating: 0, count: 300)
        let n = pread(fd, &buffer, buffer.count, 0)
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "another process" : text
    }

    /// The default `waiting` reporter: one line on standard error, flushed.
    public static func printToStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Runs `body` while holding the exclusive lock on `target` (`FileLock`).
public func withExclusiveLock<R>(on target: String, waiting: (String) -> Void = FileLock.printToStandardError,
                                 _ body: () throws -> R) throws -> R {
    let lock = try FileLock(exclusiveOn: target, waiting: waiting)
    defer { lock.release() }
    return try body()
}
