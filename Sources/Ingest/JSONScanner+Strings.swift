#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings: finding a string's end at memory bandwidth, and decoding only the
/// strings a caller asks for. Kept apart from the grammar walk because this is
/// where the scanner spends its time on prompt-heavy harness lines.
extension JSONScanner {
    /// Consumes a string and returns the range of its raw bytes (between the
    /// quotes, escapes not decoded). Uses memchr to find the closing quote: a
    /// quote preceded by an odd run of backslashes is escaped.
    @inline(__always)
    public mutating func rawString() throws -> Range<Int> {
        try consume(UInt8(ascii: "\""), "'\"' (a string)")
        let start = position
        var from = position
        while true {
            guard from < count,
                  let hit = memchr(base + from, Int32(UInt8(ascii: "\"")), count - from) else {
                position = start
                throw JSONSyntaxError(offset: start, message: "unterminated string", truncated: true)
            }
            let quote = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            var k = quote - 1
            while k >= start && base[k] == UInt8(ascii: "\\") {
                backslashes += 1
                k -= 1
            }
            if backslashes & 1 == 0 {
                position = quote + 1
                return start..<quote
            }
            from = quote + 1
        }
    }

    /// Whether the raw string bytes contain an escape.
    @inline(__always)
    public func hasEscape(_ range: Range<Int>) -> Bool {
        range.isEmpty ? false : memchr(base + range.lowerBound, Int32(UInt8(ascii: "\\")), range.count) != nil
    }

    /// Decodes the raw bytes of a string (as returned by `rawString`) into
    /// UTF-8, appending to `output`. Validates escapes; `\u` escapes,
    /// including surrogate pairs, become UTF-8.
    public func decodeString(_ range: Range<Int>, into output: inout [UInt8]) throws {
        if !hasEscape(range) {
            output.append(contentsOf: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
            return
        }
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let c = base[i]
            if c != UInt8(ascii: "\\") {
                output.append(c)
                i += 1
                continue
            }
            guard i + 1 < end else { throw JSONSyntaxError(offset: i, message: "dangling backslash in a string") }
            let e = base[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i, end)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by \u and a low surrogate.
                    guard i + 6 <= end, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u") else {
                        throw JSONSyntaxError(offset: i, message: "unpaired UTF-16 surrogate in a \\u escape")
                    }
                    let low = try hex4(i + 2, end)
                    guard low >= 0xDC00 && low < 0xE000 else {
                        throw JSONSyntaxError(offset: i, message: "unpaired UTF-16 surrogate in a \\u escape")
                    }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw JSONSyntaxError(offset: i - 6, message: "unpaired UTF-16 surrogate in a \\u escape")
                }
                JSONScanner.appendUTF8(scalar, to: &output)
            default:
                throw JSONSyntaxError(offset: i - 1, message: "invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
    }

    /// A decoded string value as a Swift String.
    public mutating func string() throws -> String {
        let range = try rawString()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        try decodeString(range, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func hex4(_ at: Int, _ end: Int) throws -> UInt32 {
        guard at + 4 <= end else { throw JSONSyntaxError(offset: at, message: "truncated \\u escape") }
        var value: UInt32 = 0
        for k in 0..<4 {
            let h = base[at + k]
            let digit: UInt32
            switch h {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(h - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(h - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(h - UInt8(ascii: "A") + 10)
            default: throw JSONSyntaxError(offset: at + k, message: "invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | (scalar >> 6)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | (scalar >> 12)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            output.append(UInt8(0xF0 | (scalar >> 18)))
            output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
