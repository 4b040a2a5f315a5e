#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers: the JSON number grammar, the lenient forms exporters write
/// (numbers as strings, bare NaN/Infinity), and a correctly rounded fast path
/// that avoids strtod for the short decimals log-likelihoods are written as.
extension JSONScanner {
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
    mutating func specialNumber() throws -> Double? {
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

    func matches(_ word: String) -> Bool {
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
}
