import Foundation

/// Maps data values to pixels, linearly or on a base-10 log scale.
///
/// `range` runs from the pixel of `domain.lowerBound` to the pixel of
/// `domain.upperBound`; a y axis passes (bottom, top), so it decreases.
public struct Scale: Equatable {
    public enum Kind: String, Equatable { case linear, log }

    public var kind: Kind
    public var domain: ClosedRange<Double>
    public var range: (start: Double, end: Double)

    public init(kind: Kind, domain: ClosedRange<Double>, range: (start: Double, end: Double)) {
        precondition(kind == .linear || domain.lowerBound > 0, "a log scale needs a positive domain")
        self.kind = kind; self.domain = domain; self.range = range
    }

    public static func linear(_ domain: ClosedRange<Double>, to range: (start: Double, end: Double)) -> Scale {
        Scale(kind: .linear, domain: domain, range: range)
    }

    public static func log(_ domain: ClosedRange<Double>, to range: (start: Double, end: Double)) -> Scale {
        Scale(kind: .log, domain: domain, range: range)
    }

    public static func == (l: Scale, r: Scale) -> Bool {
        l.kind == r.kind && l.domain == r.domain && l.range == r.range
    }

    /// Position of `value` in the domain as a fraction (0 at the lower
    /// bound, 1 at the upper); NaN for values a log scale cannot show (≤ 0).
    public func fraction(_ value: Double) -> Double {
        switch kind {
        case .linear:
            let span = domain.upperBound - domain.lowerBound
            return span == 0 ? 0.5 : (value - domain.lowerBound) / span
        case .log:
            guard value > 0 else { return .nan }
            let lo = log10(domain.lowerBound), hi = log10(domain.upperBound)
            return hi == lo ? 0.5 : (log10(value) - lo) / (hi - lo)
        }
    }

    /// The pixel of `value` (NaN when it cannot be shown).
    public func map(_ value: Double) -> Double {
        range.start + fraction(value) * (range.end - range.start)
    }

    /// The pixel of `value`, held inside the range.
    public func clampedMap(_ value: Double) -> Double {
        let f = fraction(value)
        guard f.isFinite else { return range.start }
        return range.start + min(max(f, 0), 1) * (range.end - range.start)
    }

    /// Whether `value` lies inside the domain (and can be shown).
    public func contains(_ value: Double) -> Bool {
        value.isFinite && domain.contains(value) && (kind == .linear || value > 0)
    }

    /// The data value at pixel `pixel`.
    public func invert(_ pixel: Double) -> Double {
        let f = (pixel - range.start) / (range.end - range.start)
        switch kind {
        case .linear: return domain.lowerBound + f * (domain.upperBound - domain.lowerBound)
        case .log: return pow(10, log10(domain.lowerBound) + f * (log10(domain.upperBound) - log10(domain.lowerBound)))
        }
    }

    /// Tick values for this scale (`Ticks.linear` or `Ticks.log`).
    public func ticks(target: Int = 5) -> [Double] {
        kind == .linear ? Ticks.linear(domain.lowerBound, domain.upperBound, target: target)
            : Ticks.log(domain.lowerBound, domain.upperBound)
    }

    /// Labels for `ticks`, with decimals from their spacing.
    public func labels(for ticks: [Double]) -> [String] {
        switch kind {
        case .log: return ticks.map(Ticks.logLabel)
        case .linear:
            let step = ticks.count > 1 ? zip(ticks.dropFirst(), ticks).map { $0 - $1 }.min()! : 1
            return ticks.map { Ticks.label($0, step: step) }
        }
    }

    /// The domain that a scale of `kind` should use for data spanning
    /// [lo, hi]: widened to nice ticks (linear) or to whole decades, or
    /// padded by a fifth of a decade when the data span under two decades (log).
    public static func niceDomain(kind: Kind, lo: Double, hi: Double, target: Int = 5) -> ClosedRange<Double> {
        switch kind {
        case .linear:
            return Ticks.niceDomain(lo, hi, target: target)
        case .log:
            guard lo > 0, hi > 0, lo.isFinite, hi.isFinite else { return 1...10 }
            let a = log10(min(lo, hi)), b = log10(max(lo, hi))
            if b - a >= 2 { return Ticks.powerOfTen(Int(floor(a + 1e-9)))...Ticks.powerOfTen(Int(ceil(b - 1e-9))) }
            let pad = max(0.2, (b - a) * 0.05)
            return pow(10, a - pad)...pow(10, b + pad)
        }
    }
}
