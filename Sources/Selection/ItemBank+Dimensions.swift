import Foundation
import IRT

/// The K-dimensional item model, η_j(θ) = Σ_c a[j, c] θ_c + d_j and
/// P_j = g_j + (1 − g_j) σ(η_j), as the K > 1 paths of selection, scoring,
/// CAT and the diagnostics use it. For K = 1 these agree with the scalar
/// members (`probability(_:_:)`, `information(_:_:)`), which the K = 1
/// paths keep using.
///
/// Why the information is a weight: a response carries information only
/// about η, so the information matrix about θ is the rank-one a aᵀ · I_η
/// (I_η = `informationWeight`), and every K > 1 criterion (D-optimality,
/// the posterior precision) only needs I_η and the loading vector.
extension ItemBank {
    /// Item j's loading vector a[j, ·] (K values).
    @inlinable
    public func loadings(_ j: Int) -> ArraySlice<Double> { a[(j * dims)..<((j + 1) * dims)] }

    /// Multidimensional discrimination ‖a_j‖ (|a| when K = 1): the slope of
    /// the item along its direction of steepest ascent.
    @inlinable
    public func discrimination(_ j: Int) -> Double {
        var s = 0.0
        for v in loadings(j) { s += v * v }
        return s.squareRoot()
    }

    /// K > 1's "a ≤ 0": no loading is positive, so a model stronger on every
    /// dimension does no better. (One negative loading among positive ones
    /// is a contrast between dimensions, which a rotation can produce, not a
    /// broken item.) For K = 1, a ≤ 0.
    @inlinable
    public func isReversed(_ j: Int) -> Bool { !loadings(j).contains { $0 > 0 } }

    /// η_j at the ability `theta` (K values; a slice of a [models × K] array works).
    @inlinable
    public func eta<C: RandomAccessCollection>(_ j: Int, at theta: C) -> Double where C.Element == Double, C.Index == Int {
        var e = d[j]
        let base = j * dims, t0 = theta.startIndex
        for c in 0..<dims { e += a[base + c] * theta[t0 + c] }
        return e
    }

    /// P(success) of item j at the ability `theta` (K values).
    @inlinable
    public func probability<C: RandomAccessCollection>(_ j: Int, at theta: C) -> Double where C.Element == Double, C.Index == Int {
        ItemResponse(eta: eta(j, at: theta), floor: g[j]).p
    }

    /// Fisher information about η of one response (one trial) to item j at
    /// η, under the likelihood the scoring uses: `ItemInformation.fisher`,
    /// or for a censored Beta bank the censored-response information. The
    /// information matrix about θ is a_j a_jᵀ times this; for K = 1,
    /// `information(j, θ)` = a² · this.
    public func informationWeight(_ j: Int, eta: Double) -> Double {
        guard !censoredInformation.isEmpty else {
            return ItemInformation.fisher(eta: eta, floor: g[j], response: response, phi: precision(j))
        }
        let r = ItemResponse(eta: eta, floor: g[j])
        return r.slope * r.slope * censoredInformation[benchmarkOfItem[j]].information(mu: r.p)
    }

    /// Number of population abilities (rows of `populationTheta`).
    public var populationCount: Int { populationTheta.count / dims }

    /// Row m of the population abilities (K values).
    public func populationAbility(_ m: Int) -> ArraySlice<Double> { populationTheta[(m * dims)..<((m + 1) * dims)] }

    /// At most `limit` population abilities, evenly spaced over the rows
    /// (the prior mean when there are none): the points over which K > 1
    /// selection averages its criterion.
    public func populationPoints(limit: Int = 64) -> [[Double]] {
        let m = populationCount
        guard m > 0 else { return [abilityPrior.mean] }
        let stride = max(1, (m + limit - 1) / limit)
        return Swift.stride(from: 0, to: m, by: stride).map { Array(populationAbility($0)) }
    }
}
