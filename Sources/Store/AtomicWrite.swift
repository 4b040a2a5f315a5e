import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an HDF5 output file so that readers never see a half-written one.
///
/// Why: fits run for hours under MPI and may be killed at any moment; a
/// truncated HDF5 file is unreadable and, worse, may shadow a good earlier
/// result. So `body` writes to `"<path>.tmp-<pid>"`, the file is flushed,
/// closed and fsynced, and only then renamed over `path` (an atomic step on
/// POSIX file systems). If `body` or any step throws, the temporary file is
/// removed and `path` is left untouched. Errors name `path`, not the
/// temporary file.
public func writeAtomically(_ path: String, _ body: (H5File) throws -> Void) throws {
    let temporary = temporaryPath(for: path)
    unlink(temporary)  // a stale leftover of a crashed run with the same pid
    let file: H5File
    do {
        file = try H5File(temporary, mode: .truncate)
    } catch let error as StoreError {
        throw StoreError(file: path, field: "", message: "cannot create temporary file \(temporary): \(error.message)")
    }
    file.label = path
    do {
        try body(file)
        try file.closeChecked()
        try syncAndRename(temporary, to: path)
    } catch {
        file.close()
        unlink(temporary)
        throw error
    }
}

/// Writes a text file (the CSV twins) with the same temp-then-rename
/// discipline as `writeAtomically`.
public func writeTextAtomically(_ path: String, _ text: String) throws {
    let temporary = temporaryPath(for: path)
    unlink(temporary)
    do {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw StoreError(file: path, field: "", message: "cannot write temporary file \(temporary): \(error.localizedDescription)")
        }
        try syncAndRename(temporary, to: path)
    } catch {
        unlink(temporary)
        throw error
    }
}

/// `"<path>.tmp-<pid>"`: unique per process, in the same directory so the
/// rename stays on one file system.
func temporaryPath(for path: String) -> String {
    "\(path).tmp-\(getpid())"
}

/// Forces the finished temporary file to disk, renames it over `path`, and
/// syncs the directory so the rename itself survives a crash. Public so
/// every atomic writer (HDF5 outputs, text, checkpoints) shares one recipe.
public func syncAndRename(_ temporary: String, to path: String) throws {
    let fd = open(temporary, O_RDONLY)
    guard fd >= 0 else {
        throw StoreError(file: path, field: "", message: "cannot reopen \(temporary) to sync it: \(String(cString: strerror(errno)))")
    }
    let synced = fsync(fd)
    let syncErrno = errno
    close(fd)
    guard synced == 0 else {
        throw StoreError(file: path, field: "", message: "cannot sync \(temporary): \(String(cString: strerror(syncErrno)))")
    }
    guard rename(temporary, path) == 0 else {
        throw StoreError(file: path, field: "", message: "cannot rename \(temporary) into place: \(String(cString: strerror(errno)))")
    }
    let directory = (path as NSString).deletingLastPathComponent
    let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY)
    if dirfd >= 0 {
        _ = fsync(dirfd)  // best effort: some file systems refuse directory syncs
        close(dirfd)
    }
}
