import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The progress line of a long ingest, on stderr: files done, megabytes
/// read of the total, rate and ETA, redrawn in place at most twice a
/// second, and only once the ingest has run for `delay` seconds (short
/// ingests print nothing). Quiet when stderr is not a terminal (a batch
/// job's log should hold the summary, not hundreds of redraws) unless
/// forced (`--progress`); then it prints a plain line every few seconds.
public final class IngestProgress {
    private let totalBytes: Int
    private let enabled: Bool
    private let interactive: Bool
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drew = false
    public var delay: TimeInterval = 2

    public init(totalBytes: Int, force: Bool) {
        self.totalBytes = totalBytes
        interactive = isatty(STDERR_FILENO) != 0
        enabled = interactive || force
    }

    /// The total size of the regular files under `paths` (for the ETA).
    public static func bytes(under paths: [String]) -> Int {
        var total = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                total += size(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let name = enumerator?.nextObject() as? String {
                total += size((path as NSString).appendingPathComponent(name))
            }
        }
        return total
    }

    private static func size(_ path: String) -> Int {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return 0 }
        return Int(st.st_size)
    }

    /// The line for `files` of `totalFiles` done and `bytes` read after `elapsed` seconds.
    public func text(files: Int, totalFiles: Int, bytes: Int, elapsed: TimeInterval) -> String {
        let rate = elapsed > 0 ? Double(bytes) / 1e6 / elapsed : 0
        let left = Double(max(totalBytes - bytes, 0)) / 1e6
        let eta = rate > 0 ? String(format: "%.0f s", left / rate) : "?"
        return String(format: "ingest: %d/%d files, %.1f/%.1f MB, %.0f MB/s, ETA %@",
                      files, totalFiles, Double(bytes) / 1e6, Double(totalBytes) / 1e6, rate, eta)
    }

    public func update(files: Int, totalFiles: Int, bytes: Int) {
        guard enabled else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(started)
        guard elapsed >= delay, now.timeIntervalSince(lastDraw) >= (interactive ? 0.5 : 5) else { return }
        lastDraw = now
        let line = text(files: files, totalFiles: totalFiles, bytes: bytes, elapsed: elapsed)
        FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + line : line + "\n").utf8))
        drew = true
    }

    /// Ends the line (interactive) so the summary starts on a fresh one.
    public func finish() {
        if drew && interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
