import IRT

/// Everything that changes the result of a fit. Defaults are documented in
/// docs/estimator.md; the CLI and the TOML config both fill this struct.
public struct FitOptions: Sendable, Equatable, Codable {
    public var model: ItemModel = .twoPL
    /// K, the number of latent ability dimensions.
    public var dims = 1
    /// The likelihood of an entry.
    public var response: ResponseModel = .beta
    /// Use /items/floor as the fixed lower asymptote g (else g = 0).
    public var floorFromFile = false
    public var maxIterations = 500
    /// Stop when the relative change of the log-likelihood falls below this…
    public var tolerance = 1e-7
    /// …and no parameter moved more than this in the last iteration.
    public var parameterTolerance = 1e-3
    /// Ridge (Gaussian prior precision) on each ability: keeps abilities of
    /// all-correct or all-wrong models finite. Small enough to be negligible
    /// for models with hundreds of answered items.
    public var thetaRidge = 0.01
    /// Ridge on each item's (a, d): keeps items that everybody or nobody solves finite.
    public var itemRidge = 0.01
    /// Norm constraint ‖θ_m‖ ≤ C (Chen, Li and Zhang's constrained JML).
    public var thetaBound = 8.0
    /// Norm constraint ‖(a_j, d_j)‖ ≤ C for every item.
    public var itemBound = 30.0
    /// Largest change of any parameter in one Newton step (a trust region).
    public var maxStep = 1.0
    /// Run fits with K ≤ 4 through the vectorised C kernels (the default). Off,
    /// they run through the plain Swift reference loop: tests compare the two.
    public var vectorKernels = true
    /// Item priors: empirical Bayes (the default) or the fixed ridges alone.
    public var prior: PriorMode = .empiricalBayes

    public init() {}

    /// Prior precision of each ability (of its dimension 1 under principal
    /// axes, `Calibrator.abilityPrecision`): the small ridge in both modes. The
    /// abilities are identified by standardisation, and each is estimated
    /// from hundreds of answers; a N(0, 1) prior measured no better on held-out
    /// entries and shrank models with few answered items (a leaderboard table
    /// of a dozen benchmark scores), which made scaling-law forecasts worse.
    public var thetaPriorPrecision: Double { thetaRidge }

    /// Prior precision of abilities on dimensions 2…K of a fit identified by
    /// principal axes: N(0, 1). They carry the residual structure after the
    /// general factor, which with tens of models is weakly determined;
    /// without a proper prior their abilities take Newton steps against
    /// almost no curvature and the alternating fit oscillates instead of
    /// converging (docs/estimator.md, "K > 1").
    public static let furtherDimensionPrecision = 1.0

    /// Free parameters per item: (a_1…a_K, d) for 2PL, d alone for 1PL.
    public var itemParameterCount: Int { model == .twoPL ? dims + 1 : 1 }
}

/// A fit that cannot run as asked: the message names the option and what was expected.
public struct FitError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension FitOptions {
    public func validate() throws {
        guard dims >= 1 else { throw FitError("--dims: expected K ≥ 1, got \(dims)") }
        if model == .onePL && dims != 1 { throw FitError("--model 1pl: the Rasch model has one dimension; got --dims \(dims)") }
        guard maxIterations >= 1 else { throw FitError("--max-iterations: expected ≥ 1, got \(maxIterations)") }
        guard tolerance >= 0, parameterTolerance >= 0 else { throw FitError("--tolerance: expected ≥ 0") }
    }
}
