#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
///
/// This file holds the grammar walk (positioning, objects, arrays, skipping);
/// strings are in JSONScanner+Strings.swift, numbers in JSONScanner+Numbers.swift.
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
