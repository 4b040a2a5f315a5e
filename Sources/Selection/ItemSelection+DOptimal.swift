import Foundation
import IRT

/// `--method fisher` for a K > 1 bank: D-optimal greedy selection.
///
/// After a subset S, a new model's ability posterior has precision about
/// P(θ) = Σ₀⁻¹ + Σ_{j∈S} a_j a_jᵀ I_η,j(θ) (Σ₀ the population prior's
/// covariance); its volume is det P(θ)^(−½). The subset is grown greedily,
/// each step adding the item of largest
///
///     (1/Q) Σ_q [log det P_q(S ∪ {j}) − log det P_q(S)] = (1/Q) Σ_q log(1 + I_η,j(θ_q) a_jᵀ C_q a_j)
///
/// (the matrix determinant lemma; C_q = P_q(S)⁻¹, updated by
/// Sherman–Morrison after each pick), averaged over Q population
/// abilities θ_q: the fit's models, at most 64 evenly spaced rows
/// (`ItemBank.populationPoints`). Why averaged rather than at the mean:
/// like K = 1's integrated criterion, an item is worth giving when it is
/// informative for the models one will evaluate, and at the mean alone the
/// greedy would stack items of one difficulty. The gain is the K = 1
/// diminishing-returns rule in K dimensions: once one direction of θ is
/// measured, a_jᵀ C a_j is small for items loading along it, so the next
/// picks load on the directions still uncertain (a benchmark that mixes two
/// dimensions gets items of both).
extension ItemSelector {
    /// Mean over the population points of trace I_j(θ) = ‖a_j‖² I_η,j(θ):
    /// the `info` column of a K > 1 subset.
    func multidimensionalInformation(_ j: Int) -> Double {
        let points = bank.populationPoints()
        let norm2 = bank.discrimination(j) * bank.discrimination(j)
        return points.reduce(0) { $0 + norm2 * bank.informationWeight(j, eta: bank.eta(j, at: $1)) } / Double(points.count)
    }

    func dOptimal(benchmark b: Int, count n: Int) -> [Int] {
        let eligible = bank.itemsOfBenchmark[b].filter { bank.isInformative($0) }
        guard n > 0, !eligible.isEmpty else { return [] }
        let points = bank.populationPoints(), q = points.count, k = bank.dims
        var weight = [Double](repeating: 0, count: eligible.count * q)
        for (e, j) in eligible.enumerated() {
            for (p, theta) in points.enumerated() { weight[e * q + p] = bank.informationWeight(j, eta: bank.eta(j, at: theta)) }
        }
        var covariance = [[Double]](repeating: bank.abilityPrior.covariance, count: q)
        var taken = [Bool](repeating: false, count: eligible.count)
        var chosen: [Int] = []
        for _ in 0..<min(n, eligible.count) {
            var best = -1, bestGain = -Double.infinity
            for e in eligible.indices where !taken[e] {
                let a = bank.loadings(eligible[e])
                var gain = 0.0
                for p in 0..<q { gain += log1p(weight[e * q + p] * Self.quadratic(covariance[p], a, k)) }
                if gain > bestGain { bestGain = gain; best = e }
            }
            guard best >= 0 else { break }
            taken[best] = true
            chosen.append(eligible[best])
            let a = bank.loadings(eligible[best])
            for p in 0..<q { Self.addRankOne(&covariance[p], a, weight[best * q + p], k) }
        }
        return chosen
    }

    /// The expected standard error of a new model's ability from `items`
    /// for a K > 1 bank: at each population point the root mean of the
    /// posterior variances (√(trace C / K)), averaged over the points.
    public func multidimensionalStandardError(of items: [Int]) -> Double {
        let points = bank.populationPoints(), k = bank.dims
        return points.reduce(0) { sum, theta in
            var c = bank.abilityPrior.covariance
            for j in items { Self.addRankOne(&c, bank.loadings(j), bank.informationWeight(j, eta: bank.eta(j, at: theta)), k) }
            return sum + ((0..<k).reduce(0) { $0 + c[$1 * k + $1] } / Double(k)).squareRoot()
        } / Double(points.count)
    }

    /// aᵀ C a.
    static func quadratic(_ c: [Double], _ a: ArraySlice<Double>, _ k: Int) -> Double {
        let a0 = a.startIndex
        var s = 0.0
        for r in 0..<k {
            var t = 0.0
            for f in 0..<k { t += c[r * k + f] * a[a0 + f] }
            s += a[a0 + r] * t
        }
        return s
    }

    /// C ← (C⁻¹ + w a aᵀ)⁻¹ = C − w (C a)(C a)ᵀ / (1 + w aᵀ C a) (Sherman–Morrison).
    static func addRankOne(_ c: inout [Double], _ a: ArraySlice<Double>, _ w: Double, _ k: Int) {
        guard w > 0, w.isFinite else { return }
        let a0 = a.startIndex
        let ca = (0..<k).map { r in (0..<k).reduce(0.0) { $0 + c[r * k + $1] * a[a0 + $1] } }
        let denominator = 1 + w * zip(ca, a).reduce(0) { $0 + $1.0 * $1.1 }
        for r in 0..<k { for f in 0..<k { c[r * k + f] -= w * ca[r] * ca[f] / denominator } }
    }
}
