import Foundation

/// One held-out (model, benchmark) forecast next to what the model scored.
public struct ForecastRecord: Sendable {
    public var model: String
    public var family: String
    public var fold: String
    public var benchmark: String
    /// The model's score: mean of its responses over the benchmark's items it was scored on.
    public var observed: Double
    public var predicted: Double
    public var lower: Double
    public var upper: Double

    public init(model: String, family: String, fold: String, benchmark: String, observed: Double,
                predicted: Double, lower: Double, upper: Double) {
        self.model = model; self.family = family; self.fold = fold; self.benchmark = benchmark
        self.observed = observed; self.predicted = predicted; self.lower = lower; self.upper = upper
    }
}

/// Accuracy of a set of forecasts.
///
/// Decision accuracy is the fraction of pairs of held-out models, on the
/// same benchmark, that the forecasts put in the order of their observed
/// scores (pairs tied in truth are left out; a tie in the forecast counts
/// one half): the question "which of these two models will score higher?".
/// Pairs are formed across folds too, since forecasts are on the response
/// scale and comparable whatever fit made them.
public struct AccuracySummary: Sendable {
    public var count: Int
    public var mae: Double
    public var rmse: Double
    /// Fraction of observed scores inside [lower, upper].
    public var coverage: Double
    /// Mean of upper − lower.
    public var width: Double
    public var decisionAccuracy: Double
    public var pairs: Int

    public init(_ records: [ForecastRecord]) {
        count = records.count
        let n = Double(max(count, 1))
        mae = records.reduce(0.0) { $0 + abs($1.predicted - $1.observed) } / n
        rmse = (records.reduce(0.0) { $0 + ($1.predicted - $1.observed) * ($1.predicted - $1.observed) } / n).squareRoot()
        coverage = Double(records.filter { $0.observed >= $0.lower && $0.observed <= $0.upper }.count) / n
        width = records.reduce(0.0) { $0 + ($1.upper - $1.lower) } / n
        var correct = 0.0, total = 0
        let byBenchmark = Dictionary(grouping: records, by: \.benchmark)
        for group in byBenchmark.values {
            for i in group.indices {
                for j in group.indices where j > i {
                    let dt = group[i].observed - group[j].observed
                    guard dt != 0 else { continue }
                    let dp = group[i].predicted - group[j].predicted
                    total += 1
                    if dp == 0 { correct += 0.5 } else if (dp > 0) == (dt > 0) { correct += 1 }
                }
            }
        }
        pairs = total
        decisionAccuracy = total > 0 ? correct / Double(total) : .nan
        if count == 0 { mae = .nan; rmse = .nan; coverage = .nan; width = .nan }
    }
}
