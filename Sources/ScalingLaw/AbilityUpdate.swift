import Foundation
import IRT

/// The ability of a model given the law's prediction for it and some of its
/// responses: the posterior mode of θ under the prior N(μ, diag v) — μ and
/// v the law's predicted mean and total variance per dimension — and the
/// responses' likelihood (with the family's benchmark offsets and, for
/// quasi-likelihood fits, each benchmark's dispersion), by Newton steps;
/// the covariance of the Laplace approximation is H⁻¹ at the mode.
///
/// Why the law as the prior: a model that took three benchmarks has a
/// well-measured ability along the directions those benchmarks load on and
/// nothing along the others; the prior fills in the rest from its compute
/// and family, and shrinks the measured part by the right amount.
struct AbilityUpdate {
    /// θ̂ [K].
    let mean: [Double]
    /// Lower Cholesky factor of H⁻¹ [K × K], for drawing θ.
    let factor: [Double]

    init(forecaster: Forecaster, family: String?, prior: AbilityPrediction, evidence: [(item: Int, y: Double, trials: Double)]) {
        let bank = forecaster.bank, k = bank.dims
        let v = prior.totalVariance.map { max($0, 1e-8) }
        let shifts = (0..<bank.benchmarkCount).map { forecaster.offset(family: family, benchmark: $0)?.mean ?? 0 }
        var theta = prior.mean
        var h = [Double](repeating: 0, count: k * k)
        for iteration in 0..<100 {
            var g = (0..<k).map { -(theta[$0] - prior.mean[$0]) / v[$0] }
            h = [Double](repeating: 0, count: k * k)
            for c in 0..<k { h[c * k + c] = 1 / v[c] }
            for e in evidence where e.y.isFinite {
                let j = e.item, b = bank.benchmarkOfItem[j]
                let eta = bank.linearPredictor(j, theta: theta) + shifts[b]
                var (score, fisher) = bank.response.scoreAndFisher(y: e.y, trials: e.trials, eta: eta, floor: bank.g[j], phi: bank.phi[b])
                if !bank.response.hasPrecision, let psi = bank.dispersion?[b], psi > 0 { score /= psi; fisher /= psi }
                for r in 0..<k {
                    g[r] += score * bank.a[j * k + r]
                    for c in 0..<k { h[r * k + c] += fisher * bank.a[j * k + r] * bank.a[j * k + c] }
                }
            }
            guard let l = DenseAlgebra.cholesky(h, k) else { break }
            var step = DenseAlgebra.solve(cholesky: l, k, g)
            let size = step.reduce(0) { max($0, abs($1)) }
            if size > 1 { step = step.map { $0 / size } }
            for c in 0..<k { theta[c] += step[c] }
            if size < 1e-9 || iteration == 99 { break }
        }
        mean = theta
        var covariance = [Double](repeating: 0, count: k * k)
        if let l = DenseAlgebra.cholesky(h, k) {
            covariance = DenseAlgebra.inverse(cholesky: l, k)
        } else {
            for c in 0..<k { covariance[c * k + c] = v[c] }
        }
        factor = DenseAlgebra.samplingFactor(covariance, k)
    }
}
