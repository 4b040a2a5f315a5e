/// What the ability chart draws of a scaling law (`irsl law`), evaluated
/// by the caller (the CLI reads LAW.h5 with the ScalingLaw module, which
/// this module does not depend on).
public struct LawOverlay {
    /// One point of a curve over compute.
    public struct CurvePoint: Equatable {
        public var flops: Double
        public var mean: Double
        public var lower: Double
        public var upper: Double
        public init(flops: Double, mean: Double, lower: Double, upper: Double) {
            self.flops = flops; self.mean = mean; self.lower = lower; self.upper = upper
        }
    }

    /// A model placed by the law: its predicted ability with an interval,
    /// and its fitted ability where the fit has it (the "true" value).
    public struct ModelPrediction: Equatable {
        public var name: String
        public var family: String?
        public var flops: Double
        public var mean: Double
        public var lower: Double
        public var upper: Double
        public var fitted: Double
        public init(name: String, family: String?, flops: Double, mean: Double, lower: Double, upper: Double, fitted: Double = .nan) {
            self.name = name; self.family = family; self.flops = flops; self.mean = mean
            self.lower = lower; self.upper = upper; self.fitted = fitted
        }
    }

    /// The law's file, for the page.
    public var source: String
    /// The law in words, one line each (`AbilityLaw.summaryLines`).
    public var summary: [String]
    /// `flops` or `params-tokens`.
    public var covariates: String
    /// Central probability of the bands and intervals, e.g. 0.9.
    public var level: Double
    /// The population line over compute with the prediction band of a model
    /// of a new family (flops laws only; empty for params-tokens).
    public var curve: [CurvePoint]
    /// Each seen family's own line over its compute range (mean only).
    public var familyCurves: [(family: String, points: [CurvePoint])]
    /// Models of the forecasts file placed by the law.
    public var forecasts: [ModelPrediction]

    public init(source: String, summary: [String], covariates: String, level: Double, curve: [CurvePoint],
                familyCurves: [(family: String, points: [CurvePoint])], forecasts: [ModelPrediction]) {
        self.source = source; self.summary = summary; self.covariates = covariates; self.level = level
        self.curve = curve; self.familyCurves = familyCurves; self.forecasts = forecasts
    }
}
