#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a JSONL file one line at a time through a fixed buffer.
///
/// Why: harness exports run to gigabytes per model (every line repeats the
/// few-shot prompt once per choice), so ingest must never hold a file in
/// memory. The file is read with `read(2)` into a buffer (4 MiB, grown
/// only if a single line is longer than that) and each complete line is
/// handed to the caller as a view into the buffer, valid only during the
/// call. JSON strings cannot contain a raw newline, so `\n` always ends a
/// record. A trailing `\r` (CRLF files) is dropped; blank lines are passed
/// on too (the caller skips them) so line numbers stay true.
public struct JSONLinesReader {
    public let path: String
    /// Initial buffer size.
    public var bufferSize: Int

    public init(path: String, bufferSize: Int = 4 << 20) {
        self.path = path
        self.bufferSize = max(16, bufferSize)
    }

    /// Calls `body(lineNumber, bytes)` for each line (1-based line numbers)
    /// and returns the number of bytes read. `body` may throw to stop.
    @discardableResult
    public func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw IngestError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var capacity = bufferSize
        // One spare byte so a NUL can always follow the data (defensive for C parsers).
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 1)
        defer { buffer.deallocate() }
        var filled = 0       // bytes in buffer
        var start = 0        // start of the first unconsumed line
        var lineNumber = 0
        var totalBytes = 0
        var eof = false

        while true {
            // Hand out every complete line currently in the buffer.
            while start < filled,
                  let hit = memchr(buffer + start, Int32(UInt8(ascii: "\n")), filled - start) {
                let newline = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lineNumber += 1
                try body(lineNumber, UnsafeBufferPointer(start: buffer + start, count: end - start))
                start = newline + 1
            }
            if eof {
                if start < filled {  // last line without a trailing newline
                    var end = filled
                    if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    lineNumber += 1
                    buffer[filled] = 0
                    try body(lineNumber, UnsafeBufferPointer(start: buffer + start, count: end - start))
                }
                return totalBytes
            }
            // Keep the partial line: move it to the front, growing the buffer if it fills it.
            if start > 0 {
                if filled > start { memmove(buffer, buffer + start, filled - start) }
                filled -= start
                start = 0
            }
            if filled == capacity {
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2 + 1)
                bigger.update(from: buffer, count: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = read(fd, buffer + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError(file: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { eof = true } else {
                filled += n
                totalBytes += n
            }
        }
    }
}
