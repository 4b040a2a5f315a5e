/// Score and Fisher information of one entry for a likelihood chosen at run
/// time, for code off the hot path (one model's ability from a handful of
/// responses). The fit loop stays generic over `EntryLikelihood` instead.
extension ResponseModel {
    /// d log L/dη and the Fisher information about η of response y
    /// (a proportion; trials for the binomial kinds, φ for the precision
    /// kinds). Beta responses are first moved inside the censoring bounds,
    /// as the loader moves stored ones.
    @inlinable
    public func scoreAndFisher(y: Double, trials: Double, eta: Double, floor: Double, phi: Double) -> (score: Double, fisher: Double) {
        switch self {
        case .beta:
            let yc = min(max(y, BetaLikelihood.lowerCensor), BetaLikelihood.upperCensor)
            return BetaLikelihood.scoreAndFisher(y: yc, trials: 1, eta: eta, floor: floor, phi: phi)
        case .betaBinomial:
            return BetaBinomialLikelihood.scoreAndFisher(y: y, trials: max(trials, 1), eta: eta, floor: floor, phi: phi)
        case .binomial:
            return BinomialLikelihood.scoreAndFisher(y: y, trials: max(trials, 1), eta: eta, floor: floor, phi: phi)
        case .bernoulli:
            return BinomialLikelihood.scoreAndFisher(y: y, trials: 1, eta: eta, floor: floor, phi: phi)
        }
    }
}
