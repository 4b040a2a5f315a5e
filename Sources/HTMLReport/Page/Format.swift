import Foundation

/// Numbers as the page prints them.
enum Format {
    /// `digits` significant digits, plain notation between 1e-3 and 1e6,
    /// scientific outside; "—" for NaN.
    static func number(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return v.isNaN ? "—" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e6 || a < 1e-3 {
            return String(format: "%.\(max(digits - 1, 0))e", v).replacingOccurrences(of: "-", with: "−")
        }
        let decimals = max(0, digits - 1 - Int(floor(log10(a))))
        return fixed(v, decimals)
    }

    /// Fixed decimals, Unicode minus.
    static func fixed(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return "—" }
        let s = String(format: "%.\(decimals)f", v)
        return (s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s).replacingOccurrences(of: "-", with: "−")
    }

    /// An integer with thousands separators: 37,682.
    static func integer(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "−" + out : out
    }

    /// Thousands separators and fixed decimals: −11,844,734.3 (large
    /// log-likelihoods and information criteria read better than in e-notation).
    static func grouped(_ v: Double, decimals: Int = 1) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return number(v, digits: 9) }
        let text = fixed(abs(v), decimals)
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = integer(Int(parts[0])!)
        let sign = v < 0 && Double(text) != 0 ? "−" : ""
        return sign + whole + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A fraction as a percentage with `decimals` decimals.
    static func percent(_ v: Double, _ decimals: Int = 1) -> String {
        v.isFinite ? fixed(100 * v, decimals) + "%" : "—"
    }

    /// FLOPs in scientific form: 3.2e22.
    static func flops(_ v: Double) -> String {
        guard v.isFinite, v > 0 else { return "unknown" }
        return String(format: "%.2g", v)
    }
}

/// Element ids from names: lower case letters, digits and hyphens, made
/// unique with a numeric suffix.
struct Slugger {
    private var used: Set<String> = []

    mutating func slug(_ prefix: String, _ name: String) -> String {
        var s = ""
        for ch in name.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { s.append(ch) } else if !s.hasSuffix("-") { s.append("-") }
        }
        while s.hasSuffix("-") { s.removeLast() }
        if s.isEmpty { s = "x" }
        var candidate = prefix + "-" + s, k = 2
        while used.contains(candidate) { candidate = prefix + "-" + s + "-\(k)"; k += 1 }
        used.insert(candidate)
        return candidate
    }
}
