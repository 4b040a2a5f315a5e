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
        var window = try ReadWindow(path: path, capacity: bufferSize)
        defer { window.finish() }
        var lineNumber = 0
        while true {
            // Hand out every complete line currently in the buffer.
            let buffer = window.buffer
            while window.start < window.filled,
                  let hit = memchr(buffer + window.start, Int32(UInt8(ascii: "\n")), window.filled - window.start) {
                let newline = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                var end = newline
                if end > window.start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lineNumber += 1
                try body(lineNumber, UnsafeBufferPointer(start: buffer + window.start, count: end - window.start))
                window.start = newline + 1
            }
            if window.eof {
                if window.start < window.filled {  // last line without a trailing newline
                    var end = window.filled
                    if buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    lineNumber += 1
                    buffer[window.filled] = 0
                    try body(lineNumber, UnsafeBufferPointer(start: buffer + window.start, count: end - window.start))
                }
                return window.total
            }
            // Keep the partial line: `refill` moves it to the front, growing the buffer if it fills it.
            try window.refill()
        }
    }
}
