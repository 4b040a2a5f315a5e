/// The likelihood of one matrix entry given its success probability.
///
/// - `beta`: the entry is a probability in (0, 1) drawn from Beta(μφ, (1−μ)φ)
///   with mean μ = P(m, j) and a precision φ shared by the benchmark.
/// - `bernoulli`: the entry is 0/1 (fractional entries give the Bernoulli
///   pseudo-likelihood, which is still consistent for the mean).
/// - `binomial`: the entry is successes / trials with the trial count in `/trials`.
/// - `beta-binomial`: successes / trials where each (model, question) pair has its
///   own success probability drawn from Beta(μφ, (1−μ)φ) around P(m, j).
public enum ResponseModel: String, CaseIterable, Sendable, Codable {
    case beta, bernoulli, binomial
    case betaBinomial = "beta-binomial"

    /// Whether the likelihood has a precision φ per benchmark.
    public var hasPrecision: Bool { self == .beta || self == .betaBinomial }
    /// Whether the fit steps φ jointly with the items' (a, d) (the Beta), or
    /// on its own (the beta-binomial, where the joint step saved no
    /// iterations: docs/estimator.md, "Precision φ").
    public var stepsPrecisionJointly: Bool { self == .beta }
    /// Whether the entries need `/trials`.
    public var needsTrials: Bool { self == .binomial || self == .betaBinomial }
}

/// Which item parameters are free. mirt's names: `1pl` fixes every
/// discrimination at 1 (Rasch, K = 1 only); `2pl` estimates them.
public enum ItemModel: String, CaseIterable, Sendable, Codable {
    case onePL = "1pl"
    case twoPL = "2pl"
}
