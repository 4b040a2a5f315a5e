/// A guard in front of toml++ (inside TOMLKit): its parser asserts, and so
/// aborts the whole process, on a table header that does not start with a
/// key (`[&x]`, `[[=`, `[[[1]]]`; upstream marzer/tomlplusplus#301, fixed
/// after the version TOMLKit bundles). Found by fuzz/ConfigFuzz.swift.
///
/// The scan knows just enough TOML to tell a header from a value: strings
/// (basic, literal and multi-line), comments, and the brackets and braces
/// of values. A `[` that opens a line outside any value is a header; the
/// character after `[` or `[[` (and spaces) must start a key: a bare-key
/// character (A-Z a-z 0-9 _ -) or a quote. Everything else is left to the parser.
enum TableHeaderCheck {
    /// The 1-based line of the first header that does not start with a key, or nil.
    static func firstBadHeader(_ text: String) -> Int? {
        let s = Array(text.utf8)
        var i = 0, line = 1, depth = 0, lineStart = true, inHeader = false
        func at(_ k: Int) -> UInt8? { k < s.count ? s[k] : nil }
        func starts(_ k: Int, _ quote: UInt8) -> Bool { at(k) == quote && at(k + 1) == quote && at(k + 2) == quote }
        while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "\n"):
                line += 1; lineStart = true; inHeader = false; i += 1; continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1; continue
            case UInt8(ascii: "#"):
                while i < s.count && s[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let multi = starts(i, c)
                i += multi ? 3 : 1
                while i < s.count {
                    if multi && starts(i, c) { i += 3; break }
                    if !multi && (s[i] == c || s[i] == UInt8(ascii: "\n")) { if s[i] == c { i += 1 }; break }
                    if c == UInt8(ascii: "\"") && s[i] == UInt8(ascii: "\\") { i += 1 }
                    if i < s.count && s[i] == UInt8(ascii: "\n") { line += 1 }
                    i += 1
                }
                lineStart = false; continue
            case UInt8(ascii: "[") where lineStart && depth == 0:
                var k = i + 1
                if at(k) == UInt8(ascii: "[") { k += 1 }
                while at(k) == UInt8(ascii: " ") || at(k) == UInt8(ascii: "\t") { k += 1 }
                guard let first = at(k), isKeyStart(first) else { return line }
                inHeader = true; i = k
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if !inHeader { depth += 1 }
                i += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if !inHeader { depth = max(0, depth - 1) }
                i += 1
            default:
                i += 1
            }
            lineStart = false
        }
        return nil
    }

    static func isKeyStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")
    }
}
