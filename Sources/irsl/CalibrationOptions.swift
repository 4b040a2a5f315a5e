import ArgumentParser
import Calibration
import IRT

/// The options of a calibration, declared once for every command that
/// calibrates (`fit`, `backtest`, `evaluate-subset`) as an `@OptionGroup`.
/// Each is optional: nil keeps `FitOptions`' default (documented in
/// docs/estimator.md), or, for `irsl fit`, the value of its `--config` file.
struct CalibrationOptions: ParsableArguments {
    @Option(help: "Item model (default 2pl).") var model: ItemModel?
    @Option(help: "Latent ability dimensions K (default 1); irsl fit also takes a list such as 1,2,3,4 to fit each and keep the best.",
            transform: PositiveIntegers.parse(expected: "K ≥ 1 or a list such as 1,2,3"))
    var dims: PositiveIntegers?
    @Option(help: "Likelihood; auto (the default) follows the file's response_kind.") var response: ResponseChoice?
    @Option(help: "Item priors: eb (empirical Bayes per benchmark, the default) or none (joint ML with the small ridges).") var prior: PriorMode?
    @Option(help: "Iteration limit (default 500).") var maxIterations: Int?
    @Option(help: "Relative log-likelihood change for convergence (default 1e-7).") var tolerance: Double?
    @Option(help: "Largest parameter change for convergence (default 1e-3).") var parameterTolerance: Double?
    @Option(help: "Ridge (prior precision) on each ability (default 0.01).") var thetaRidge: Double?
    @Option(help: "With --prior none: ridge on each item's free parameters (default 0.01).") var itemRidge: Double?
    @Option(help: "Norm bound on each ability (default 8).") var thetaBound: Double?
    @Option(help: "Norm bound on each item's (a, d) (default 30).") var itemBound: Double?
    @Option(help: "Largest change of any parameter in one Newton step (default 1).") var maxStep: Double?

    /// The given options over `base`; `dims` takes the first K of a list.
    func apply(to base: FitOptions) -> FitOptions {
        var o = base
        if let model { o.model = model }
        if let first = dims?.values.first { o.dims = first }
        if let prior { o.prior = prior }
        if let maxIterations { o.maxIterations = maxIterations }
        if let tolerance { o.tolerance = tolerance }
        if let parameterTolerance { o.parameterTolerance = parameterTolerance }
        if let thetaRidge { o.thetaRidge = thetaRidge }
        if let itemRidge { o.itemRidge = itemRidge }
        if let thetaBound { o.thetaBound = thetaBound }
        if let itemBound { o.itemBound = itemBound }
        if let maxStep { o.maxStep = maxStep }
        return o
    }

    /// For commands that fit one K: refuses a list of --dims.
    func singleDimension() throws -> Int? {
        guard let dims else { return nil }
        guard dims.values.count == 1 else {
            throw ValidationError("--dims: expected one K here; a list such as \(dims) is for irsl fit")
        }
        return dims.values[0]
    }
}
