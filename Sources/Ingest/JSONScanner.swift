#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A syntax error at a byte offset of the text being scanned.
public struct JSONSyntaxError: Error, CustomStringConvertible {
    /// Byte offset (0-based) into the scanned text where the problem was seen.
    public let offset: Int
    /// What was expected and what was found.
    public let message: String
    /// Whether the text ran out before the value ended: the error may be the
    /// cut of a buffer, not the file (`JSONArrayReader` then reads on and retries).
    public let truncated: Bool

    public init(offset: Int, message: String, truncated: Bool = false) {
        self.offset = offset
        self.message = message
        self.truncated = truncated
    }

    public var description: String { "\(message) (at byte \(offset + 1))" }
}

/// A pull scanner over the bytes of one JSON text (one JSONL line), built
/// for extracting a handful of fields from large records.
///
/// Why not Foundation: a harness sample line is mostly few-shot prompt text
/// (tens of kB, repeated once per choice in `arguments`) around a few dozen
/// bytes we need (`doc_id`, the log-likelihoods, the metrics). Decoding all
/// of it into dictionaries and Strings, as JSONSerialization or JSONDecoder
/// do, spends nearly all the time on data that is thrown away. This scanner
/// walks the grammar without materialising anything: strings are skipped
/// with `memchr` (which runs at memory bandwidth) and only the values the
/// caller asks for are decoded. Skipped values are still checked against
/// the JSON grammar (brackets, commas, colons, literals, numbers), so a
/// truncated or corrupted line is reported, not silently half-read.
///
/// Escapes inside skipped strings are not validated (an invalid escape in a
/// prompt we never read is harmless); strings the caller decodes are.
///
/// The caller owns the memory: the scanner holds a raw pointer into a buffer
/// that must outlive it (the line reader's buffer).
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    /// Bytes in the text.
    public let count: Int
    /// Current byte offset.
    public var position: Int = 0
    /// Deepest array/object nesting accepted, so a hostile line cannot exhaust the stack.
    public static let maximumDepth = 512

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have a nil base address; point at a static byte instead.
        self.base = bytes.baseAddress ?? JSONScanner.emptyByte
        self.count = bytes.count
    }

    private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// The kind of the next value, judged from its first byte.
    public enum ValueKind {
        case object, array, string, number, literal
    }

    // MARK: - Basic positioning

    @inline(__always)
    public mutating func skipWhitespace() {
        while position < count {
            let c = base[position]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 } else { return }
        }
    }

    /// True when only whitespace remains.
    public mutating func atEnd() -> Bool {
        skipWhitespace()
        return position >= count
    }

    /// The kind of the next value (after whitespace), or an error if none starts here.
    public mutating func peekKind() throws -> ValueKind {
        skipWhitespace()
        guard position < count else { throw error("unexpected end of line, expected a value") }
        switch base[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "N"), UInt8(ascii: "I"): return .literal
        default: throw error("expected a value, found \(describeByte(at: position))")
        }
    }

    public func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: min(position, count), message: message, truncated: position >= count)
    }

    /// Whether the bytes from `position` to the end of the text could be the
    /// start of a longer number or literal (`tr`, `1.`, `-Infin`): an error
    /// there may be the text's cut rather than the data's.
    func endsInsideToken() -> Bool {
        var i = position
        while i < count {
            switch base[i] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                i += 1
            default:
                return false
            }
        }
        return true
    }

    func describeByte(at offset: Int) -> String {
        guard offset < count else { return "end of line" }
        let c = base[offset]
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x\(String(c, radix: 16))"
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard position < count, base[position] == byte else {
            throw error("expected \(what), found \(describeByte(at: position))")
        }
        position += 1
    }

    // MARK: - Objects and arrays

    /// Enters an object: consumes `{`.
    public mutating func beginObject() throws {
        try consume(UInt8(ascii: "{"), "'{' (an object)")
    }

    /// The next key of the current object (its raw, still-escaped bytes),
    /// positioned at the key's value; nil (and the closing `}` consumed) at
    /// the end of the object. `first` tracks whether a comma is due.
    public mutating func nextKey(_ first: inout Bool) throws -> Range<Int>? {
        skipWhitespace()
        guard position < count else { throw error("unexpected end of line inside an object") }
        if base[position] == UInt8(ascii: "}") {
            position += 1
            return nil
        }
        if !first {
            try consume(UInt8(ascii: ","), "',' or '}' in an object")
            skipWhitespace()
        }
        first = false
        guard position < count, base[position] == UInt8(ascii: "\"") else {
            throw error("expected a quoted key, found \(describeByte(at: position))")
        }
        let key = try rawString()
        try consume(UInt8(ascii: ":"), "':' after a key")
        return key
    }

    /// Enters an array: consumes `[`.
    public mutating func beginArray() throws {
        try consume(UInt8(ascii: "["), "'[' (an array)")
    }

    /// Whether another element follows in the current array (positioned at
    /// it); false (and the closing `]` consumed) at the end.
    public mutating func nextElement(_ first: inout Bool) throws -> Bool {
        skipWhitespace()
        guard position < count else { throw error("unexpected end of line inside an array") }
        if base[position] == UInt8(ascii: "]") {
            position += 1
            return false
        }
        if !first {
            try consume(UInt8(ascii: ","), "',' or ']' in an array")
        }
        first = false
        return true
    }

    /// Whether the raw bytes of `range` equal the ASCII `literal` (for keys).
    @inline(__always)
    public func bytes(_ range: Range<Int>, equal literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard range.count == n else { return false }
        return memcmp(base + range.lowerBound, literal.utf8Start, n) == 0
    }

    // MARK: - Strings

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

    // MARK: - Numbers

    /// Consumes a JSON number and returns the range of its bytes, checking
    /// the grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    public mutating func rawNumber() throws -> Range<Int> {
        skipWhitespace()
        let start = position
        guard let end = JSONScanner.numberEnd(base, from: position, limit: count) else {
            throw JSONSyntaxError(offset: position, message: "invalid number", truncated: endsInsideToken())
        }
        position = end
        return start..<end
    }

    /// The end offset of a number in JSON grammar starting at `from`, or nil if malformed.
    static func numberEnd(_ p: UnsafePointer<UInt8>, from: Int, limit: Int) -> Int? {
        var i = from
        @inline(__always) func isDigit(_ k: Int) -> Bool {
            k < limit && p[k] >= UInt8(ascii: "0") && p[k] <= UInt8(ascii: "9")
        }
        if i < limit && p[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return nil }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < limit && p[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        if i < limit && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            if i < limit && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        return i
    }

    /// A number written either as a JSON number or as a string holding one
    /// ("-3.37", and also "nan", "inf", "-inf", which Python's json writes
    /// bare as NaN/Infinity): the lm-eval exports in this project's data
    /// write every scalar as a string, other exports as numbers.
    public mutating func flexibleNumber() throws -> Double {
        skipWhitespace()
        if let special = try specialNumber() { return special }
        switch try peekKind() {
        case .number:
            let range = try rawNumber()
            return try parseDouble(range, strict: true)
        case .string:
            let range = try rawString()
            return try parseDouble(range, strict: false)
        default:
            throw JSONSyntaxError(offset: position, message: "expected a number, found \(describeByte(at: position))",
                                  truncated: endsInsideToken())
        }
    }

    /// Python's json module writes non-finite floats bare as NaN, Infinity
    /// and -Infinity (not JSON, but what exporters produce); consumes one.
    private mutating func specialNumber() throws -> Double? {
        guard position < count else { return nil }
        let c = base[position]
        guard c == UInt8(ascii: "N") || c == UInt8(ascii: "I")
                || (c == UInt8(ascii: "-") && position + 1 < count && base[position + 1] == UInt8(ascii: "I")) else {
            return nil
        }
        if matches("NaN") { position += 3; return .nan }
        if matches("Infinity") { position += 8; return .infinity }
        if matches("-Infinity") { position += 9; return -.infinity }
        return nil
    }

    private func matches(_ word: String) -> Bool {
        let n = word.utf8.count
        guard position + n <= count else { return false }
        return word.utf8.withContiguousStorageIfAvailable { memcmp(base + position, $0.baseAddress!, n) == 0 } ?? false
    }

    /// Parses the bytes of `range` as a double with strtod. `strict` (a bare
    /// JSON number) has already been grammar-checked; a string's content may
    /// also be surrounded by spaces or be nan/inf.
    func parseDouble(_ range: Range<Int>, strict: Bool) throws -> Double {
        if let fast = JSONScanner.simpleDecimal(base, range) { return fast }
        var buffer = (Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0), Int64(0))
        let capacity = MemoryLayout.size(ofValue: buffer)
        guard range.count > 0, range.count < capacity else {
            throw JSONSyntaxError(offset: range.lowerBound,
                                  message: range.count == 0 ? "expected a number, found an empty string"
                                                            : "number text too long (\(range.count) bytes)")
        }
        return try withUnsafeMutableBytes(of: &buffer) { raw -> Double in
            let chars = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            memcpy(chars, base + range.lowerBound, range.count)
            chars[range.count] = 0
            var endPointer: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(chars, &endPointer)
            var consumed = chars.distance(to: endPointer!)
            while consumed < range.count && (chars[consumed] == 0x20) { consumed += 1 }
            guard consumed == range.count, consumed > 0, endPointer! != chars else {
                let text = String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
                throw JSONSyntaxError(offset: range.lowerBound, message: "expected a number, found \"\(text)\"")
            }
            // strtod accepts hex floats and "infinity"; reject hex, which no exporter writes.
            if !strict, memchr(chars, Int32(UInt8(ascii: "x")), range.count) != nil || memchr(chars, Int32(UInt8(ascii: "X")), range.count) != nil {
                let text = String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
                throw JSONSyntaxError(offset: range.lowerBound, message: "expected a decimal number, found \"\(text)\"")
            }
            return value
        }
    }

    /// Clinger's fast path: a plain decimal `-?digits[.digits]` with at most
    /// 15 significant digits is m / 10^k with m and 10^k exact doubles, and one
    /// IEEE division rounds correctly, so this equals strtod's result. Nil for
    /// anything else (exponents, long mantissas, spaces, nan), which strtod handles.
    @inline(__always)
    static func simpleDecimal(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> Double? {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var seenPoint = false
        var seenDigit = false
        while i < end {
            let c = p[i]
            if c &- 0x30 < 10 {
                seenDigit = true
                if mantissa != 0 || c != 0x30 { digits += 1 }
                guard digits <= 15 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                if seenPoint { fraction += 1 }
            } else if c == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                return nil
            }
            i += 1
        }
        guard seenDigit, fraction <= 22 else { return nil }
        let value = Double(mantissa) / JSONScanner.powersOfTen[fraction]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { pow10($0) }

    private static func pow10(_ k: Int) -> Double {
        var v = 1.0
        for _ in 0..<k { v *= 10 }  // exact up to 1e22
        return v
    }

    // MARK: - Skipping

    /// Consumes one value of any kind, checking its grammar but building nothing.
    public mutating func skipValue() throws {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws {
        guard depth < JSONScanner.maximumDepth else { throw error("nesting deeper than \(JSONScanner.maximumDepth) levels") }
        switch try peekKind() {
        case .string:
            _ = try rawString()
        case .number:
            if try specialNumber() == nil { _ = try rawNumber() }
        case .literal:
            try skipLiteral()
        case .array:
            position += 1
            var first = true
            while try nextElement(&first) { try skipValue(depth: depth + 1) }
        case .object:
            position += 1
            var first = true
            while try nextKey(&first) != nil { try skipValue(depth: depth + 1) }
        }
    }

    private mutating func skipLiteral() throws {
        for word in ["true", "false", "null"] where matches(word) {
            position += word.utf8.count
            return
        }
        if try specialNumber() != nil { return }
        throw JSONSyntaxError(offset: position, message: "expected true, false or null, found \(describeByte(at: position))",
                              truncated: endsInsideToken())
    }
}
