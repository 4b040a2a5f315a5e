/// Streams the elements of a file holding one top-level JSON array
/// (`[{...}, {...}, ...]`, any indentation) through a fixed buffer, handing
/// each element to the caller as a `JSONScanner` positioned at it.
///
/// Why: HELM's `per_instance_stats.json` is one array of hundreds of MB
/// (tens of stats per instance, pretty-printed); decoding it whole builds a
/// tree many times the file's size and runs at a few tens of MB/s. Here the
/// file is read with `read(2)` into a 4 MiB buffer (grown only for an
/// element larger than that) and scanned in place: only the fields the
/// caller asks for are decoded.
///
/// Elements may straddle the end of the buffer. The scanner then stops
/// with an error marked `truncated` (or ends exactly at the end of the
/// bytes, where a number may go on); the reader moves the unfinished
/// element to the front, reads on, and parses it again from its start. So
/// `parse` must not commit anything itself: it returns what it read, and
/// `handle` receives it once the element is complete.
public struct JSONArrayReader {
    public let path: String
    public var bufferSize: Int

    public init(path: String, bufferSize: Int = 4 << 20) {
        self.path = path
        self.bufferSize = bufferSize
    }

    /// Calls `parse` on each element (index from 0) and `handle` with its
    /// result; returns the bytes read. Syntax errors are thrown as
    /// `JSONSyntaxError` with the offset in the file, and `index` set to the
    /// element they are in (-1 outside any).
    @discardableResult
    public func forEachElement<T>(_ parse: (inout JSONScanner) throws -> T,
                                  _ handle: (T, Int) throws -> Void) throws -> Int {
        var window = try ReadWindow(path: path, capacity: bufferSize)
        defer { window.finish() }
        var index = -1
        do {
            try window.attempt { try $0.beginArray() }
            var first = true
            index = 0
            while try window.attempt({ s -> Bool in
                var f = first
                let more = try s.nextElement(&f)
                return more
            }) {
                first = false
                let value = try window.attempt { try parse(&$0) }
                try handle(value, index)
                index += 1
            }
            index = -1
            // Only whitespace may follow (`attempt` reads on to the end of the file while it is whitespace).
            try window.attempt { s in
                guard s.atEnd() else { throw s.error("unexpected text after the end of the array") }
            }
        } catch let error as JSONSyntaxError {
            throw JSONArrayError(index: index, offset: window.fileOffset + error.offset, message: error.message)
        }
        return window.total
    }
}

extension ReadWindow {
    /// Runs `body` on a scanner at `start`; on a truncation error before the end of the
    /// file, reads more and runs it again. On success `start` moves past what it consumed.
    mutating func attempt<R>(_ body: (inout JSONScanner) throws -> R) throws -> R {
        if filled == 0 && !eof { try refill() }
        while true {
            var s = JSONScanner(UnsafeBufferPointer(start: buffer, count: filled))
            s.position = start
            do {
                let result = try body(&s)
                // A value that ends exactly where the bytes do may go on (a number, `12` of `125`): read on, parse again.
                if s.position >= filled && !eof {
                    try refill()
                    continue
                }
                start = s.position
                return result
            } catch let error as JSONSyntaxError where error.truncated && !eof {
                try refill()
            }
        }
    }
}

/// A syntax error in a JSON array file: the element (-1 outside any) and the byte offset in the file.
public struct JSONArrayError: Error, CustomStringConvertible {
    public let index: Int
    public let offset: Int
    public let message: String

    public var description: String {
        (index >= 0 ? "[\(index)]: " : "") + "malformed JSON: \(message) (at byte \(offset + 1))"
    }
}
