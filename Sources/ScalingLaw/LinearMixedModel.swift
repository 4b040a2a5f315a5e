import Foundation

/// How a law treats the model families.
///
/// - `random`: family intercepts are random effects, α_f ~ N(0, σ_a²), with
///   σ_a² estimated (REML). A family seen with few models is shrunk toward
///   the population line; a family never seen gets α = 0 and the variance
///   σ_a², so its forecasts are wider. The default.
/// - `fixed`: one free intercept per family (least squares, no shrinkage),
///   as in Sloth's family-specific intercepts. The spread of the estimated
///   intercepts (minus their own sampling variance) stands in for σ_a² when
///   a family was never seen.
/// - `none`: one intercept for everybody; family differences end up in the
///   residual.
public enum FamilyEffects: String, CaseIterable, Sendable {
    case random, fixed, none
}

/// The one-way random-effects linear model y = Xβ + Zu + e, u ~ N(0, σ_a² I),
/// e ~ N(0, σ_e² I), with Z the indicator matrix of the groups (families):
/// the model of one ability dimension on the covariates.
///
/// Why Henderson's mixed-model equations: with C = WᵀW + diag(0, I/γ),
/// W = [X Z] and γ = σ_a²/σ_e², one (p + G) × (p + G) Cholesky gives at
/// once the GLS coefficients β̂, the BLUPs û, yᵀPy = yᵀy − b̂ᵀWᵀy, and
/// log|XᵀV⁻¹X| = log|C| − Σ log(n_g + 1/γ); and σ_e² C⁻¹ is the joint
/// covariance of the errors (β̂ − β, û − u), which is exactly what a
/// forecast for a model of a known family needs (its coefficients and its
/// family effect are estimated from the same data and are correlated).
/// REML is profiled over σ_e², leaving a one-dimensional search over log γ.
/// The uncertainty of σ_a² and σ_e² themselves is not propagated (as in the
/// usual plug-in prediction intervals of mixed models).
public struct LinearMixedModel: Sendable {
    public let mode: FamilyEffects
    /// Columns of X (the first is the intercept).
    public let p: Int
    /// Number of groups G.
    public let groups: Int
    /// β̂ [p].
    public let coefficients: [Double]
    /// û [G] (BLUPs for `random`, centred least-squares intercepts for `fixed`, zeros for `none`).
    public let groupEffects: [Double]
    /// Observations per group [G].
    public let groupCounts: [Int]
    /// Covariance of the estimation errors (β̂ − β, û − u), [(p+G) × (p+G)] row-major.
    public let jointCovariance: [Double]
    /// σ_a²: the spread of group intercepts around the line.
    public let groupVariance: Double
    /// σ_e²: the scatter of an observation around its group's line.
    public let residualVariance: Double
    /// Conditional residuals y − Xβ̂ − Zû.
    public let residuals: [Double]
    /// Profiled REML log-likelihood, without constants (NaN for `fixed`).
    public let reml: Double

    /// Fits the model.
    /// - Parameters:
    ///   - y: responses [n].
    ///   - x: design [n × p] row-major; column 0 must be the intercept (ones).
    ///   - group: group index of each row, in 0..<groups; every group must occur.
    public static func fit(y: [Double], x: [Double], columns p: Int, group: [Int], groups: Int,
                           mode: FamilyEffects) throws -> LinearMixedModel {
        let n = y.count
        precondition(x.count == n * p && group.count == n && p >= 1)
        var counts = [Int](repeating: 0, count: groups)
        for g in group { counts[g] += 1 }
        if mode != .none, let empty = counts.firstIndex(of: 0) {
            throw LawError("family \(empty) has no models; families must be compacted before the fit")
        }
        switch mode {
        case .none:
            guard n > p else { throw LawError("a law with \(p) coefficients needs more than \(p) models with covariates; found \(n)") }
            let s = Henderson(y: y, x: x, p: p, group: group, groups: 0, counts: [], precision: 0)
            guard let s else { throw LawError("the covariates are collinear (e.g. every model has the same FLOPs); cannot fit the law") }
            let sigma2 = max(s.yPy / Double(n - p), 1e-300)
            return LinearMixedModel(mode: mode, p: p, groups: groups, coefficients: s.b,
                                    groupEffects: [Double](repeating: 0, count: groups), groupCounts: counts,
                                    jointCovariance: padded(s.inverse.map { $0 * sigma2 }, from: p, to: p + groups),
                                    groupVariance: 0, residualVariance: sigma2,
                                    residuals: s.residuals(y: y, x: x, group: group),
                                    reml: -0.5 * (Double(n - p) * log(sigma2) + s.logDetC))
        case .random:
            guard n > p else { throw LawError("a law with \(p) coefficients needs more than \(p) models with covariates; found \(n)") }
            return try fitRandom(y: y, x: x, p: p, group: group, groups: groups, counts: counts)
        case .fixed:
            return try fitFixed(y: y, x: x, p: p, group: group, groups: groups, counts: counts)
        }
    }

    /// The forecast of a new observation with covariates `x` [p] in group
    /// `group` (nil: a group never seen): its mean, the variance of the
    /// estimation error of that mean (coefficients and, for a seen group, its
    /// effect, jointly), and the variance of an unseen group's effect (0 for
    /// a seen group). The residual variance σ_e² comes on top.
    public func prediction(x: [Double], group: Int?) -> (mean: Double, estimationVariance: Double, groupVariance: Double) {
        precondition(x.count == p)
        var w = x + [Double](repeating: 0, count: groups)
        var mean = zip(x, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
        if let g = group {
            mean += groupEffects[g]
            w[p + g] = 1
        }
        let v = DenseAlgebra.quadraticForm(w, jointCovariance, w)
        return (mean, max(v, 0), group == nil ? groupVariance : 0)
    }

    /// Standard error of coefficient `i`.
    public func coefficientSE(_ i: Int) -> Double { jointCovariance[i * (p + groups) + i].squareRoot() }

    /// Prediction-error standard deviation of group effect `g` (û_g − u_g).
    public func groupEffectSE(_ g: Int) -> Double {
        let q = p + groups
        return jointCovariance[(p + g) * q + p + g].squareRoot()
    }

    /// Covariance of β̂ alone, [p × p].
    public var coefficientCovariance: [Double] {
        let q = p + groups
        var out = [Double](repeating: 0, count: p * p)
        for i in 0..<p { for j in 0..<p { out[i * p + j] = jointCovariance[i * q + j] } }
        return out
    }

    // MARK: - Random effects (REML)

    private static func fitRandom(y: [Double], x: [Double], p: Int, group: [Int], groups: Int, counts: [Int]) throws -> LinearMixedModel {
        let n = y.count
        func criterion(_ t: Double) -> (value: Double, solution: Henderson)? {
            let gamma = exp(t)
            guard let s = Henderson(y: y, x: x, p: p, group: group, groups: groups, counts: counts, precision: 1 / gamma) else { return nil }
            let sigma2 = s.yPy / Double(n - p)
            guard sigma2 > 0 else { return nil }
            var logDetH = 0.0, logDetZ = 0.0
            for c in counts { logDetH += log1p(gamma * Double(c)); logDetZ += log(Double(c) + 1 / gamma) }
            let logDetXVX = s.logDetC - logDetZ
            return (-0.5 * (Double(n - p) * log(sigma2) + logDetH + logDetXVX), s)
        }
        // A grid over log γ brackets the maximum; golden sections refine it.
        let lo = -12.0, hi = 8.0, steps = 40
        var best = (t: Double.nan, value: -Double.infinity)
        var values: [Double] = []
        for i in 0...steps {
            let t = lo + (hi - lo) * Double(i) / Double(steps)
            let v = criterion(t)?.value ?? -Double.infinity
            values.append(v)
            if v > best.value { best = (t, v) }
        }
        guard best.value.isFinite else {
            throw LawError("the covariates are collinear (e.g. every model has the same FLOPs); cannot fit the law")
        }
        let h = (hi - lo) / Double(steps)
        var a = max(lo, best.t - h), b = min(hi, best.t + h)
        let phi = (5.0.squareRoot() - 1) / 2
        var c = b - phi * (b - a), d = a + phi * (b - a)
        var fc = criterion(c)?.value ?? -.infinity, fd = criterion(d)?.value ?? -.infinity
        for _ in 0..<60 {
            if fc > fd { b = d; d = c; fd = fc; c = b - phi * (b - a); fc = criterion(c)?.value ?? -.infinity }
            else { a = c; c = d; fc = fd; d = a + phi * (b - a); fd = criterion(d)?.value ?? -.infinity }
        }
        let tBest = fc > best.value || fd > best.value ? (fc > fd ? c : d) : best.t
        guard let (value, s) = criterion(tBest) else {
            throw LawError("the REML search for the family variance failed")
        }
        let sigma2 = s.yPy / Double(n - p)
        return LinearMixedModel(mode: .random, p: p, groups: groups, coefficients: Array(s.b[0..<p]),
                                groupEffects: Array(s.b[p...]), groupCounts: counts,
                                jointCovariance: s.inverse.map { $0 * sigma2 },
                                groupVariance: exp(tBest) * sigma2, residualVariance: sigma2,
                                residuals: s.residuals(y: y, x: x, group: group), reml: value)
    }

    // MARK: - Fixed effects

    /// Least squares on [covariates, one indicator per group] (no common
    /// intercept), then re-expressed as intercept = mean of the group
    /// intercepts and effects = deviations from it, with the covariance
    /// carried through the same linear map.
    private static func fitFixed(y: [Double], x: [Double], p: Int, group: [Int], groups: Int, counts: [Int]) throws -> LinearMixedModel {
        let n = y.count, pc = p - 1
        guard n > pc + groups else {
            throw LawError("fixed family effects need more models (\(n)) than coefficients plus families (\(pc + groups)); use --families random")
        }
        var xc = [Double](repeating: 0, count: n * pc)
        for i in 0..<n { for c in 0..<pc { xc[i * pc + c] = x[i * p + c + 1] } }
        guard let s = Henderson(y: y, x: xc, p: pc, group: group, groups: groups, counts: counts, precision: 0) else {
            throw LawError("the covariates are collinear within families (every model of a family has the same covariates); use --families random or none")
        }
        let sigma2 = max(s.yPy / Double(n - pc - groups), 1e-300)
        let q = p + groups, qo = pc + groups
        let old = s.inverse.map { $0 * sigma2 }
        // T maps (β_cov, c) to (β0, β_cov, u): β0 = mean c, u_g = c_g − β0.
        var t = [Double](repeating: 0, count: q * qo)
        for g in 0..<groups { t[0 * qo + pc + g] = 1 / Double(groups) }
        for c in 0..<pc { t[(1 + c) * qo + c] = 1 }
        for g in 0..<groups {
            for g2 in 0..<groups { t[(p + g) * qo + pc + g2] = (g == g2 ? 1 : 0) - 1 / Double(groups) }
        }
        var tc = [Double](repeating: 0, count: q * qo)
        for i in 0..<q { for k in 0..<qo where t[i * qo + k] != 0 { for j in 0..<qo { tc[i * qo + j] += t[i * qo + k] * old[k * qo + j] } } }
        var cov = [Double](repeating: 0, count: q * q)
        for i in 0..<q { for j in 0..<q { var v = 0.0; for k in 0..<qo { v += tc[i * qo + k] * t[j * qo + k] }; cov[i * q + j] = v } }
        let intercepts = Array(s.b[pc...])
        let mean = intercepts.reduce(0, +) / Double(groups)
        // Method of moments: spread of the estimated intercepts minus their own sampling variance.
        var spread = 0.0
        if groups > 1 {
            let sampleVar = intercepts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(groups - 1)
            let noise = (0..<groups).map { old[(pc + $0) * qo + pc + $0] }.reduce(0, +) / Double(groups)
            spread = max(sampleVar - noise, 0)
        }
        return LinearMixedModel(mode: .fixed, p: p, groups: groups, coefficients: [mean] + Array(s.b[0..<pc]),
                                groupEffects: intercepts.map { $0 - mean }, groupCounts: counts,
                                jointCovariance: cov, groupVariance: spread, residualVariance: sigma2,
                                residuals: s.residuals(y: y, x: xc, group: group), reml: .nan)
    }

    private static func padded(_ a: [Double], from n: Int, to q: Int) -> [Double] {
        var out = [Double](repeating: 0, count: q * q)
        for i in 0..<n { for j in 0..<n { out[i * q + j] = a[i * n + j] } }
        return out
    }

    private init(mode: FamilyEffects, p: Int, groups: Int, coefficients: [Double], groupEffects: [Double],
                 groupCounts: [Int], jointCovariance: [Double], groupVariance: Double, residualVariance: Double,
                 residuals: [Double], reml: Double) {
        self.mode = mode; self.p = p; self.groups = groups; self.coefficients = coefficients
        self.groupEffects = groupEffects; self.groupCounts = groupCounts; self.jointCovariance = jointCovariance
        self.groupVariance = groupVariance; self.residualVariance = residualVariance
        self.residuals = residuals; self.reml = reml
    }

    /// A model rebuilt from stored parts (a law file).
    public init(storedMode mode: FamilyEffects, coefficients: [Double], groupEffects: [Double], groupCounts: [Int],
                jointCovariance: [Double], groupVariance: Double, residualVariance: Double) {
        precondition(jointCovariance.count == (coefficients.count + groupEffects.count) * (coefficients.count + groupEffects.count))
        self.init(mode: mode, p: coefficients.count, groups: groupEffects.count, coefficients: coefficients,
                  groupEffects: groupEffects, groupCounts: groupCounts, jointCovariance: jointCovariance,
                  groupVariance: groupVariance, residualVariance: residualVariance, residuals: [], reml: .nan)
    }
}

/// Henderson's mixed-model equations C b = Wᵀy, C = WᵀW + λ diag(0_p, 1_G),
/// W = [X Z], for one ridge λ (1/γ for random effects, 0 for fixed ones or
/// none), solved by Cholesky. nil when C is not positive definite.
struct Henderson {
    let p: Int, groups: Int
    let b: [Double]
    let inverse: [Double]
    let logDetC: Double
    /// yᵀy − b̂ᵀWᵀy: the residual sum of squares of GLS (yᵀPy, in units of σ_e²).
    let yPy: Double

    init?(y: [Double], x: [Double], p: Int, group: [Int], groups: Int, counts: [Int], precision: Double) {
        let n = y.count, q = p + groups
        var c = [Double](repeating: 0, count: q * q), wy = [Double](repeating: 0, count: q)
        for i in 0..<n {
            let row = i * p
            for r in 0..<p {
                let xr = x[row + r]
                wy[r] += xr * y[i]
                for s in 0...r { c[r * q + s] += xr * x[row + s] }
            }
            if groups > 0 {
                let g = p + group[i]
                wy[g] += y[i]
                for r in 0..<p { c[g * q + r] += x[row + r] }
            }
        }
        for g in 0..<groups { c[(p + g) * q + p + g] = Double(counts[g]) + precision }
        for r in 0..<q { for s in 0..<r { c[s * q + r] = c[r * q + s] } }
        guard let l = DenseAlgebra.cholesky(c, q) else { return nil }
        self.p = p; self.groups = groups
        b = DenseAlgebra.solve(cholesky: l, q, wy)
        inverse = DenseAlgebra.inverse(cholesky: l, q)
        logDetC = DenseAlgebra.logDeterminant(cholesky: l, q)
        // yᵀy − b̂ᵀWᵀy = (y − Wb̂)ᵀy, summed in the second form to avoid cancellation.
        var rss = 0.0
        for i in 0..<n {
            var f = 0.0
            for r in 0..<p { f += x[i * p + r] * b[r] }
            if groups > 0 { f += b[p + group[i]] }
            rss += (y[i] - f) * y[i]
        }
        yPy = rss
    }

    func residuals(y: [Double], x: [Double], group: [Int]) -> [Double] {
        (0..<y.count).map { i in
            var f = 0.0
            for r in 0..<p { f += x[i * p + r] * b[r] }
            if groups > 0 { f += b[p + group[i]] }
            return y[i] - f
        }
    }
}
