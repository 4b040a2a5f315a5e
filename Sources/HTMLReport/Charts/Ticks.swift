import Foundation

/// Tick positions and labels a reader can take in at a glance: steps of
/// 1, 2 or 5 times a power of ten on linear axes, powers of ten (then 2 and
/// 5 times them when a range spans less than a decade) on log axes.
public enum Ticks {
    /// The 1-2-5 step closest to `span / target` (at least one step fits).
    public static func niceStep(span: Double, target: Int = 5) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * magnitude
    }

    /// Multiples of `niceStep` inside [lo, hi] (ends included, up to rounding),
    /// each rounded to the step's decimals so 3 × 0.2 is 0.6, not 0.6000000000000001.
    public static func linear(_ lo: Double, _ hi: Double, target: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        if lo == hi { return [lo] }
        let (a, b) = (min(lo, hi), max(lo, hi))
        let step = niceStep(span: b - a, target: target)
        let slack = step * 1e-9
        let first = (a / step - 1e-9).rounded(.up), last = (b / step + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        let decimals = decimalsFor(step: step)
        var out: [Double] = []
        var k = first
        while k <= last {
            let v = round(k * step, decimals: decimals)
            if v >= a - slack && v <= b + slack { out.append(v == 0 ? 0 : v) }
            k += 1
        }
        return out
    }

    /// [lo, hi] widened outwards to multiples of its nice step.
    public static func niceDomain(_ lo: Double, _ hi: Double, target: Int = 5) -> ClosedRange<Double> {
        guard lo.isFinite, hi.isFinite else { return 0...1 }
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            return niceDomain(lo - pad, hi + pad, target: target)
        }
        let (a, b) = (min(lo, hi), max(lo, hi))
        let step = niceStep(span: b - a, target: target)
        let d = decimalsFor(step: step)
        return round((a / step).rounded(.down) * step, decimals: d)...round((b / step).rounded(.up) * step, decimals: d)
    }

    /// Ticks of a base-10 log axis on [lo, hi] (both > 0): the powers of ten
    /// inside it; when fewer than two fall inside, 1, 2 and 5 times each power.
    public static func log(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi > 0, lo.isFinite, hi.isFinite else { return [] }
        let (a, b) = (min(lo, hi), max(lo, hi))
        let e0 = Int(floor(log10(a) + 1e-9)), e1 = Int(floor(log10(b) + 1e-9))
        let inside = { (v: Double) in v >= a * (1 - 1e-9) && v <= b * (1 + 1e-9) }
        var decades = (e0...e1).map(powerOfTen).filter(inside)
        if decades.count >= 2 {
            // A very wide range keeps about eight labelled decades.
            let stride = (decades.count + 7) / 8
            if stride > 1 { decades = decades.enumerated().filter { $0.offset % stride == 0 }.map(\.element) }
            return decades
        }
        return (e0...e1).flatMap { e in [1.0, 2, 5].map { $0 * powerOfTen(e) } }.filter(inside)
    }

    /// 10^e as the literal `1e<e>` reads (correctly rounded; `pow(10, 23)`
    /// is one unit in the last place off).
    public static func powerOfTen(_ e: Int) -> Double {
        Double("1e\(e)")!
    }

    /// Decimals needed to print multiples of `step` exactly (0 for steps ≥ 1).
    public static func decimalsFor(step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var d = 0
        while d < 12 && abs(step * pow(10, Double(d)) - (step * pow(10, Double(d))).rounded()) > 1e-6 * step * pow(10, Double(d)) {
            d += 1
        }
        return d
    }

    /// A tick label for `value` on an axis whose ticks are `step` apart:
    /// the step's decimals; values of 10,000 and more in thousands (k),
    /// millions (M) or billions (G), e.g. −26.9M.
    public static func label(_ value: Double, step: Double) -> String {
        let big = abs(value) >= 1e4 || (abs(value) >= 1e3 && step >= 1e3)
        if big {
            let (div, suffix): (Double, String) = abs(value) >= 1e9 ? (1e9, "G") : abs(value) >= 1e6 ? (1e6, "M") : (1e3, "k")
            return plain(value / div, decimals: decimalsFor(step: step / div)) + suffix
        }
        return plain(value, decimals: decimalsFor(step: step))
    }

    /// Labels of a log axis: "10" with a superscript exponent for powers of
    /// ten (10⁻³, 10²¹), else the plain number (2, 50, 2×10⁴ ...).
    public static func logLabel(_ value: Double) -> String {
        guard value > 0, value.isFinite else { return "" }
        let e = Int(floor(log10(value) + 1e-9))
        let mantissa = (value / pow(10, Double(e)) * 1000).rounded() / 1000
        if e >= -2 && e <= 3 {
            return plain(value, decimals: max(0, -e))
        }
        let power = "10" + superscript(e)
        return mantissa == 1 ? power : plain(mantissa, decimals: decimalsFor(step: mantissa)) + "×" + power
    }

    /// An integer in Unicode superscript digits (−12 → ⁻¹²).
    public static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let body = String(String(abs(n)).map { digits[Int(String($0))!] })
        return n < 0 ? "⁻" + body : body
    }

    private static func round(_ v: Double, decimals: Int) -> Double {
        let f = pow(10, Double(decimals))
        return (v * f).rounded() / f
    }

    private static func plain(_ v: Double, decimals: Int) -> String {
        let s = String(format: "%.\(decimals)f", v)
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s.replacingOccurrences(of: "-", with: "−")
    }
}
