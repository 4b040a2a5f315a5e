import Foundation
import IRT

/// The Beta likelihood of a response within ε of 0 or 1, treated as
/// censored: a response at or below ε (or at or above 1 − ε) is known only
/// to lie in [0, ε] (or [1 − ε, 1]), so it contributes log P(Y ≤ ε)
/// (log P(Y ≥ 1 − ε)), not the density at ε.
///
/// Why: probability-valued evaluation data are often 0 or 1 to float
/// precision, and `irsl fit` moves them to ε = 1e-4 and uses the density
/// there (docs/estimator.md). At an item far too easy or too hard for a
/// model the density at ε is much higher than at the true value (log y =
/// −9.2 instead of −30), which pulls abilities (and, in the fit, the
/// slopes of the most discriminating items) towards the middle. The tail
/// probability is the exact likelihood of what is known. Scoring uses it
/// for banks whose fit did the same (`BetaTails.censored`); with the
/// generating parameters it removes the bias (`ScoringTests`), and
/// docs/selection.md shows what it would buy subset selection.
public enum CensoredBeta {
    /// The clamp of the fit.
    public static let epsilon = Double(betaClampEpsilon)

    /// log I_x(a, b), the log of the regularised incomplete beta function
    /// P(Y ≤ x) for Y ~ Beta(a, b), by the continued fraction (Lentz) on
    /// the side where it converges fast.
    public static func logLowerTail(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return -.infinity }
        if x >= 1 { return 0 }
        let logFront = a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b))
        if x < (a + 1) / (a + b + 2) {
            return logFront - log(a) + log(continuedFraction(a, b, x))
        }
        let upper = exp(logFront - log(b) + log(continuedFraction(b, a, 1 - x)))
        return log1p(-min(upper, 1))
    }

    static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let fm = Double(m), m2 = 2 * fm
            var aa = fm * (b - fm) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// log P(Y ≤ ε) (`upper` false) or log P(Y ≥ 1 − ε) (`upper` true) for
    /// Y ~ Beta(μφ, (1 − μ)φ).
    @inlinable
    public static func logTail(mu: Double, phi: Double, upper: Bool) -> Double {
        upper ? logLowerTail(epsilon, (1 - mu) * phi, mu * phi) : logLowerTail(epsilon, mu * phi, (1 - mu) * phi)
    }

    /// The tail log-probability and its derivative in μ (central difference).
    public static func logTailAndScore(mu: Double, phi: Double, upper: Bool) -> (value: Double, dMu: Double) {
        let h = 1e-6 * min(mu, 1 - mu)
        let f0 = logTail(mu: mu, phi: phi, upper: upper)
        let fp = logTail(mu: mu + h, phi: phi, upper: upper), fm = logTail(mu: mu - h, phi: phi, upper: upper)
        return (f0, (fp - fm) / (2 * h))
    }
}

extension CensoredBeta {
    /// Fisher information about the mean μ of one Beta(μφ, (1 − μ)φ)
    /// response whose values below ε and above 1 − ε are censored:
    ///
    ///     J(μ) = ∫_ε^{1−ε} s(y)² f(y) dy + P(Y ≤ ε) s_lo² + P(Y ≥ 1 − ε) s_hi²
    ///
    /// with s(y) = φ(log y − log(1 − y) − ψ(μφ) + ψ((1 − μ)φ)) the score of
    /// an observed value and s_lo, s_hi those of the tail probabilities. As
    /// ε → 0 it tends to φ²(ψ′(μφ) + ψ′((1 − μ)φ)); censoring lowers it where
    /// a response often falls in a tail (μφ or (1 − μ)φ well below 1). The
    /// integral is a trapezoid rule in t = logit(y) (the integrand is smooth
    /// and its ends are finite there).
    public static func meanInformation(mu: Double, phi: Double, epsilon: Double = CensoredBeta.epsilon, points: Int = 600) -> Double {
        let a = mu * phi, b = (1 - mu) * phi
        let logB = lgamma(a) + lgamma(b) - lgamma(a + b)
        let shift = digamma(a) - digamma(b)
        let lo = logit(epsilon), hi = -lo
        let h = (hi - lo) / Double(points - 1)
        var inside = 0.0
        for i in 0..<points {
            let t = lo + h * Double(i)
            let logY = -log1p(exp(-t)), log1mY = -log1p(exp(t))     // log σ(t), log(1 − σ(t))
            let density = exp(a * logY + b * log1mY - logB)         // f(y) dy/dt = y^a (1−y)^b / B
            let s = phi * (logY - log1mY - shift)
            inside += (i == 0 || i == points - 1 ? 0.5 : 1) * density * s * s
        }
        inside *= h
        let lower = CensoredBeta.logTailAndScore(mu: mu, phi: phi, upper: false)
        let upper = CensoredBeta.logTailAndScore(mu: mu, phi: phi, upper: true)
        return inside + exp(lower.value) * lower.dMu * lower.dMu + exp(upper.value) * upper.dMu * upper.dMu
    }
}

/// J(μ) of `CensoredBeta.meanInformation` tabulated for one φ on a grid of
/// logit(μ), so that selection and adaptive testing, which ask for the
/// information of thousands of items at many abilities, pay one table
/// look-up per question instead of a quadrature.
public struct CensoredBetaTable: Sendable {
    public let phi: Double
    let lo = -20.0, step = 0.02
    let values: [Double]

    public init(phi: Double) {
        self.phi = phi
        let count = Int(40 / 0.02) + 1
        let lo = self.lo, step = self.step
        values = (0..<count).map { CensoredBeta.meanInformation(mu: sigmoid(lo + step * Double($0)), phi: phi) }
    }

    /// J(μ) by linear interpolation in logit(μ).
    public func information(mu: Double) -> Double {
        let u = logit(min(max(mu, 1e-9), 1 - 1e-9))
        let x = (min(max(u, lo), -lo) - lo) / step
        let i = min(Int(x), values.count - 2)
        let f = x - Double(i)
        return values[i] * (1 - f) + values[i + 1] * f
    }
}
