import Foundation
import IRT

/// Nodes and weights of a quadrature rule for the standard normal in K
/// dimensions: the Gauss–Hermite product rule (7 points per dimension for
/// K = 2, 5 for K = 3, 3 for K = 4, 5), or for K > 5 the degree-3 rule of
/// 2K points ±√K·e_c, so the node count stays below a few hundred.
public struct NormalQuadrature: Sendable {
    /// [nodes × K] row-major standard-normal points.
    public let nodes: [Double]
    public let weights: [Double]
    public let dims: Int

    /// Probabilists' Gauss–Hermite rules (weights normalised to 1).
    static let rules: [Int: (x: [Double], w: [Double])] = [
        3: ([-1.7320508075688772, 0, 1.7320508075688772], [1.0 / 6, 2.0 / 3, 1.0 / 6]),
        5: ([-2.8569700138728056, -1.3556261799742659, 0, 1.3556261799742659, 2.8569700138728056],
            [0.011257411327720691, 0.22207592200561266, 0.5333333333333333, 0.22207592200561266, 0.011257411327720691]),
        7: ([-3.7504397177257425, -2.3667594107345415, -1.1544053947399682, 0, 1.1544053947399682, 2.3667594107345415, 3.7504397177257425],
            [0.0005482688559722184, 0.030757123967586496, 0.24012317860501274, 0.45714285714285713,
             0.24012317860501274, 0.030757123967586496, 0.0005482688559722184]),
    ]

    public init(dims k: Int) {
        dims = k
        guard k <= 5 else {
            var nodes = [Double](repeating: 0, count: 2 * k * k)
            for c in 0..<k {
                nodes[(2 * c) * k + c] = Double(k).squareRoot()
                nodes[(2 * c + 1) * k + c] = -Double(k).squareRoot()
            }
            self.nodes = nodes
            weights = [Double](repeating: 1 / Double(2 * k), count: 2 * k)
            return
        }
        let rule = Self.rules[k <= 2 ? 7 : k == 3 ? 5 : 3]!
        let m = rule.x.count
        var total = 1
        for _ in 0..<k { total *= m }
        var nodes = [Double](repeating: 0, count: total * k), weights = [Double](repeating: 1, count: total)
        for i in 0..<total {
            var rest = i
            for c in 0..<k {
                nodes[i * k + c] = rule.x[rest % m]
                weights[i] *= rule.w[rest % m]
                rest /= m
            }
        }
        self.nodes = nodes
        self.weights = weights
    }

    public var count: Int { weights.count }
}

extension ScorePredictor {
    /// K > 1: the full scores averaged over the K-dimensional ability
    /// posterior (likelihood of the observed items × the population prior
    /// N(μ, Σ)).
    ///
    /// The posterior is found by `MultidimensionalAbility` (mode θ̂,
    /// covariance C); the average is a quadrature at the nodes θ̂ + L z of
    /// `NormalQuadrature` (L Lᵀ = C), each node's weight multiplied by the
    /// ratio of the exact posterior to the normal approximation there
    /// (importance weights, the log-ratio capped at 5 so one node far in a
    /// heavy tail cannot take all the weight), so a skewed posterior (an
    /// all-correct start) is averaged as the K = 1 grid averages it. At
    /// every node every unobserved item's P_j and Var(y_j) is summed (no
    /// table: a K-dimensional grid would not fit), so a model costs
    /// nodes × items; the moments and the interval are those of K = 1.
    func multidimensionalScore(_ obs: [Observation], level: Double) -> ScoredModel {
        let k = bank.dims, nb = bank.benchmarkCount
        let posterior = MultidimensionalAbility.posteriorMode(obs, bank: bank)
        var ability = AbilityEstimate(theta: posterior.theta[0], se: posterior.se[0], mle: nil, mleSE: nil, itemsUsed: obs.count)
        ability.thetaVector = posterior.theta
        ability.covariance = posterior.covariance
        var l = posterior.covariance
        let factored = l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, k) }
        let quadrature = quadratureRule
        let terms = AbilityEstimator.phiTerms(bank)
        let top = MultidimensionalAbility.evaluate(obs, bank: bank, prior: bank.abilityPrior, theta: posterior.theta, terms: terms).value
        var points: [[Double]] = [], w: [Double] = []
        for i in 0..<(factored ? quadrature.count : 0) {
            let z = quadrature.nodes[(i * k)..<((i + 1) * k)]
            var theta = posterior.theta, zz = 0.0
            for r in 0..<k {
                zz += z[i * k + r] * z[i * k + r]
                for c in 0...r { theta[r] += l[r * k + c] * z[i * k + c] }
            }
            let value = MultidimensionalAbility.evaluate(obs, bank: bank, prior: bank.abilityPrior, theta: theta, terms: terms).value
            points.append(theta)
            w.append(quadrature.weights[i] * exp(min(value - top + 0.5 * zz, 5)))
        }
        if points.isEmpty { points = [posterior.theta]; w = [1] }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }

        var observed = [Bool](repeating: false, count: bank.count)
        var observedSum = [Double](repeating: 0, count: nb), observedCount = [Int](repeating: 0, count: nb)
        var trials = 0.0
        for o in obs {
            observed[o.item] = true
            observedSum[bank.benchmarkOfItem[o.item]] += o.y
            observedCount[bank.benchmarkOfItem[o.item]] += 1
            trials += o.trials
        }
        let typicalTrials = obs.isEmpty ? 1 : trials / Double(obs.count)
        var mean = [Double](repeating: 0, count: nb), second = mean, noise = mean
        for (q, theta) in points.enumerated() where w[q] > 1e-14 {
            for bi in 0..<nb {
                let n = Double(itemsPerBenchmark[bi])
                guard n > 0 else { continue }
                var predicted = 0.0, variance = 0.0
                for j in bank.itemsOfBenchmark[bi] where !observed[j] && bank.isUsable(j) {
                    let p = bank.probability(j, at: theta)
                    predicted += p
                    variance += ItemInformation.variance(p: p, response: bank.response, phi: bank.phi[bi])
                }
                let f = (observedSum[bi] + predicted) / n
                let v = variance / (n * n) / (bank.response == .beta ? 1 : typicalTrials)
                mean[bi] += w[q] * f
                second[bi] += w[q] * f * f
                noise[bi] += w[q] * v
            }
        }
        let z = normalQuantile(0.5 + level / 2)
        return ScoredModel(ability: ability, usedMLE: false,
                           scores: finish(mean: mean, second: second, noise: noise, observedCount: observedCount, z: z))
    }

    var quadratureRule: NormalQuadrature { NormalQuadrature(dims: bank.dims) }
}
