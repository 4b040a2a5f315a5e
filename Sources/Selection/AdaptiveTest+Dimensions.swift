import Foundation
import IRT

extension AdaptiveTester {
    /// The adaptive test for a K > 1 bank.
    ///
    /// The next item is the available one that most increases
    /// log det of the posterior precision at the current estimate:
    /// log(1 + t_j I_η,j(θ̂) a_jᵀ C a_j), C the current posterior covariance
    /// (`MultidimensionalAbility`), t_j the trials. The `start` items are
    /// chosen the same way at the prior mean with C updated after each
    /// (Sherman–Morrison) but no re-estimate, so they spread over the
    /// dimensions the way K = 1's start spreads over difficulty. Stopping:
    /// `scoreSETarget` on every benchmark's score SD (as K = 1), `seTarget`
    /// on the largest marginal posterior SD of θ, or the budget.
    func runMultidimensional(responses: [Float], trials: [Float]?, level: Double) -> AdaptiveTestResult {
        let k = bank.dims
        let candidates = (0..<bank.count).filter { bank.isInformative($0) }
        var answered = AnsweredItems(responses: responses, trials: trials)
        func weight(_ j: Int, _ theta: [Double]) -> Double {
            (trials.map { Double($0[j]) } ?? 1) * bank.informationWeight(j, eta: bank.eta(j, at: theta))
        }
        func next(at theta: [Double], covariance: [Double]) -> Int? {
            var best: Int?, bestGain = -Double.infinity
            for j in candidates where answered.isAvailable(j) {
                let gain = weight(j, theta) * ItemSelector.quadratic(covariance, bank.loadings(j), k)
                if gain > bestGain { bestGain = gain; best = j }
            }
            return best
        }

        let budget = max(options.maxItems, 0)
        let prior = bank.abilityPrior
        var covariance = prior.covariance
        for _ in 0..<min(max(options.start, 0), budget) {
            guard let j = next(at: prior.mean, covariance: covariance) else { break }
            answered.give(j)
            ItemSelector.addRankOne(&covariance, bank.loadings(j), weight(j, prior.mean), k)
        }
        var stop = StopReason.exhausted
        var estimate = MultidimensionalAbility.posteriorMode(answered.observations, bank: bank)
        while true {
            if let target = options.seTarget, !answered.observations.isEmpty, estimate.se.allSatisfy({ $0 <= target }) { stop = .seTarget; break }
            if let target = options.scoreSETarget, !answered.observations.isEmpty,
               predictor.score(answered.observations, prior: self.prior, level: level).scores.allSatisfy({ $0.sd <= target }) {
                stop = .scoreSETarget; break
            }
            if answered.observations.count >= budget { stop = .budget; break }
            guard let j = next(at: estimate.theta, covariance: estimate.covariance) else { stop = .exhausted; break }
            answered.give(j)
            estimate = MultidimensionalAbility.posteriorMode(answered.observations, bank: bank, start: estimate.theta)
        }
        let scored = predictor.score(answered.observations, prior: self.prior, level: level)
        return AdaptiveTestResult(administered: answered.observations.map(\.item), stop: stop, scored: scored)
    }
}
