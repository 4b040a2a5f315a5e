import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A group of output files that appear together or not at all.
///
/// Why: a command such as `irsl fit` writes several files (the HDF5 output
/// and its two CSV twins). Renaming each as soon as it is done leaves a
/// mixed state when a later one fails (a full disk after the HDF5 file): a
/// new `fit.h5` beside an old `fit.h5.items.csv`, or no CSV at all. So every
/// member is written to a temporary name in its own directory, flushed and
/// fsynced; only when all are complete does `commit` rename them into place.
/// If anything fails (a body throws, a write hits ENOSPC, a rename fails) the
/// temporary files are removed, and a file already renamed in this commit is
/// put back as it was (its previous version is kept as a hard link until the
/// commit ends), so an older output of the same name is left untouched.
///
/// Errors name the final path, never the temporary one (except when the
/// temporary file itself cannot be created, which is then the news).
public final class OutputSet {
    private struct Member {
        let temporary: String
        let path: String
        /// When set, the existing file at `path` is kept under this name (checkpoints' `.prev`).
        let previous: String?
    }
    private var members: [Member] = []
    private var finished = false

    public init() {}

    deinit { if !finished { discard() } }

    /// The paths this set will create, in the order they were added.
    public var paths: [String] { members.map(\.path) }

    /// Writes an HDF5 file that will appear at `path` on `commit`. `body`
    /// fills it; the file is flushed, closed and fsynced before this returns.
    public func hdf5(_ path: String, _ body: (H5File) throws -> Void) throws {
        let temporary = try reserve(path)
        let file: H5File
        do {
            file = try H5File(temporary, mode: .truncate)
        } catch let error as StoreError {
            throw StoreError(file: path, field: "", message: "cannot create temporary file \(temporary): \(error.message)")
        }
        try fill(file, temporary: temporary, path: path, body)
    }

    /// Copies the existing HDF5 file `path` to a temporary name (a streaming
    /// copy: no dataset is loaded) and lets `body` modify the copy, which
    /// replaces `path` on `commit`.
    public func updateHDF5(_ path: String, _ body: (H5File) throws -> Void) throws {
        let temporary = try reserve(path)
        try copyFile(path, to: temporary)
        let file: H5File
        do {
            file = try H5File(temporary, mode: .readWrite)
        } catch let error as StoreError {
            throw StoreError(file: path, field: error.field, message: error.message)
        }
        try fill(file, temporary: temporary, path: path, body)
    }

    /// Lets `body` fill the open temporary `file`, then closes and fsyncs
    /// it; on any error the file is closed and the error rethrown.
    private func fill(_ file: H5File, temporary: String, path: String, _ body: (H5File) throws -> Void) throws {
        file.label = path
        do {
            try body(file)
            try file.closeChecked()
            try fsyncFile(temporary, label: path)
        } catch {
            file.close()
            throw error
        }
    }

    /// A text file (UTF-8) that will appear at `path` on `commit`.
    public func text(_ path: String, _ text: String) throws {
        try data(path, Data(text.utf8))
    }

    /// A binary file that will appear at `path` on `commit`. With `previous`,
    /// an existing file at `path` is kept under that name (replacing what was
    /// there) instead of being replaced outright.
    public func data(_ path: String, _ bytes: Data, previous: String? = nil) throws {
        let temporary = try reserve(path, previous: previous)
        try writeAll(bytes, to: temporary, label: path)
    }

    /// A file that `body` writes itself at the temporary path it is given
    /// (for writers with their own I/O); it is fsynced and renamed on `commit`.
    public func file(_ path: String, _ body: (String) throws -> Void) throws {
        let temporary = try reserve(path)
        try body(temporary)
        try fsyncFile(temporary, label: path)
    }

    /// Renames every member into place. On any failure, members already
    /// renamed are rolled back to the files they replaced (or removed where
    /// there was none), every temporary file is removed, and the error is thrown.
    public func commit() throws {
        guard !finished else { return }
        // Keep each file about to be replaced reachable until the commit succeeds.
        var backups: [String?] = []
        for member in members {
            let backup = "\(member.temporary).old"
            unlink(backup)
            backups.append(access(member.path, F_OK) == 0 && link(member.path, backup) == 0 ? backup : nil)
        }
        var done = 0
        do {
            for (index, member) in members.enumerated() {
                if let previous = member.previous, backups[index] != nil {
                    // Checkpoints: the current file stays reachable as `previous`.
                    unlink(previous)
                    guard link(member.path, previous) == 0 else {
                        throw StoreError(file: member.path, field: "",
                                         message: "cannot keep the previous file as \(previous): \(errnoText())")
                    }
                }
                guard rename(member.temporary, member.path) == 0 else {
                    throw StoreError(file: member.path, field: "",
                                     message: "cannot rename \(member.temporary) into place: \(errnoText())")
                }
                done += 1
            }
        } catch {
            for index in members.indices.reversed() {
                let member = members[index]
                if index < done {
                    if let backup = backups[index] { rename(backup, member.path) } else { unlink(member.path) }
                }
                if let backup = backups[index] { unlink(backup) }
                unlink(member.temporary)
            }
            finished = true
            throw error
        }
        for backup in backups { if let backup { unlink(backup) } }
        for directory in Set(members.map { OutputSet.directory(of: $0.path) }) {
            let fd = open(directory, O_RDONLY)
            if fd >= 0 {
                _ = fsync(fd)  // best effort: some file systems refuse directory syncs
                close(fd)
            }
        }
        finished = true
    }

    /// Removes every temporary file; nothing at the final paths changes.
    public func discard() {
        for member in members { unlink(member.temporary) }
        finished = true
    }

    // MARK: - Implementation

    /// Registers `path` and returns its temporary name (any stale file of that name removed).
    private func reserve(_ path: String, previous: String? = nil) throws -> String {
        guard !finished else {
            throw StoreError(file: path, field: "", message: "internal: the output set was already committed")
        }
        guard !members.contains(where: { $0.path == path }) else {
            throw StoreError(file: path, field: "", message: "internal: written twice in one output set")
        }
        let temporary = temporaryPath(for: path)
        unlink(temporary)
        members.append(Member(temporary: temporary, path: path, previous: previous))
        return temporary
    }

    static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }
}

/// Runs `body` with a fresh `OutputSet` and commits it; if `body` or the
/// commit throws, nothing new remains and older outputs are untouched.
public func writeOutputs<R>(_ body: (OutputSet) throws -> R) throws -> R {
    let set = OutputSet()
    do {
        let result = try body(set)
        try set.commit()
        return result
    } catch {
        set.discard()
        throw error
    }
}

/// `"<path>.tmp-<pid>-<random>"`: unique per process and per call (Slurm
/// array tasks on different nodes can share a pid), in the same directory so
/// the rename stays on one file system.
func temporaryPath(for path: String) -> String {
    "\(path).tmp-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
}

/// `strerror(errno)`.
func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// Writes `bytes` to a new file at `temporary` with plain POSIX calls, so a
/// full disk (ENOSPC) or a file-size limit (EFBIG) is a clear error naming
/// `label`, then fsyncs it.
func writeAll(_ bytes: Data, to temporary: String, label: String) throws {
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
        throw StoreError(file: label, field: "", message: "cannot create temporary file \(temporary): \(errnoText())")
    }
    var failure: Int32 = 0
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            offset += n
        }
    }
    if failure == 0 && fsync(fd) != 0 { failure = errno }
    if close(fd) != 0 && failure == 0 { failure = errno }
    if failure != 0 {
        throw StoreError(file: label, field: "", message: "cannot write the file: \(errnoText(failure))")
    }
}

/// Forces a finished temporary file to disk.
func fsyncFile(_ temporary: String, label: String) throws {
    let fd = open(temporary, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw StoreError(file: label, field: "", message: "cannot reopen \(temporary) to sync it: \(errnoText())")
    }
    let synced = fsync(fd)
    let code = errno
    close(fd)
    guard synced == 0 else {
        throw StoreError(file: label, field: "", message: "cannot sync the file to disk: \(errnoText(code))")
    }
}

/// Copies `source` to `destination` in 1 MiB blocks with POSIX calls (so
/// ENOSPC is reported as such), then fsyncs the copy.
func copyFile(_ source: String, to destination: String) throws {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else {
        throw StoreError(file: source, field: "", message: "cannot open the file to copy it: \(errnoText())")
    }
    defer { close(input) }
    let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard output >= 0 else {
        throw StoreError(file: source, field: "", message: "cannot create temporary file \(destination): \(errnoText())")
    }
    var failure: Int32 = 0
    let size = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    copying: while true {
        let n = read(input, buffer, size)
        if n < 0 {
            if errno == EINTR { continue }
            failure = errno
            break
        }
        if n == 0 { break }
        var offset = 0
        while offset < n {
            let w = write(output, buffer + offset, n - offset)
            if w < 0 {
                if errno == EINTR { continue }
                failure = errno
                break copying
            }
            offset += w
        }
    }
    if failure == 0 && fsync(output) != 0 { failure = errno }
    if close(output) != 0 && failure == 0 { failure = errno }
    if failure != 0 {
        throw StoreError(file: source, field: "", message: "cannot copy to temporary file \(destination): \(errnoText(failure))")
    }
}
