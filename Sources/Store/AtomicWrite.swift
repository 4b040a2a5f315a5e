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
/// result. So `body` writes to `"<path>.tmp-<pid>-<random>"`, the file is
/// flushed, closed and fsynced, and only then renamed over `path` (an atomic
/// step on POSIX file systems). If `body` or any step throws (a full disk
/// included), the temporary file is removed and `path` is left untouched.
/// Errors name `path`, not the temporary file. A one-member `OutputSet`;
/// commands writing several files use `writeOutputs` so all appear together.
public func writeAtomically(_ path: String, _ body: (H5File) throws -> Void) throws {
    try writeOutputs { try $0.hdf5(path, body) }
}

/// Writes a text file (the CSV twins) with the same temp-then-rename
/// discipline as `writeAtomically`.
public func writeTextAtomically(_ path: String, _ text: String) throws {
    try writeOutputs { try $0.text(path, text) }
}

/// Forces the finished temporary file to disk, renames it over `path`, and
/// syncs the directory so the rename itself survives a crash. Public so
/// every atomic writer (HDF5 outputs, text, checkpoints) shares one recipe.
public func syncAndRename(_ temporary: String, to path: String) throws {
    try fsyncFile(temporary, label: path)
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
