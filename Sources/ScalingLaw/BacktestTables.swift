import Foundation

/// The side-by-side tables of `irsl backtest`: the law against its baselines,
/// per benchmark and overall. Here, next to `Backtest.csv`, so the summary a
/// reader sees and the file they get are computed by the same module from the
/// same `BacktestResult`.
public enum BacktestTables {
    /// The printed lines: errors (MAE, RMSE), then the `level` intervals'
    /// coverage and width with decision accuracy, then (with several folds)
    /// the mean of per-fold MAEs, which weighs every fold the same.
    public static func lines(_ r: BacktestResult, level: Double) -> [String] {
        var methods: [(String, [ForecastRecord])] = [("law", r.law), ("FLOPs only", r.flopsOnly), ("family + FLOPs", r.familyFlops)]
        if !r.regression.isEmpty { methods.append(("regression", r.regression)) }
        var benchmarks: [String] = []
        for rec in r.law where !benchmarks.contains(rec.benchmark) { benchmarks.append(rec.benchmark) }
        let groups: [(String, (ForecastRecord) -> Bool)] = benchmarks.map { b in (b, { $0.benchmark == b }) } + [("overall", { _ in true })]
        let width = max(12, (benchmarks.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        func f(_ x: Double, _ digits: Int = 4) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "-" }
        let pct = Int((level * 100).rounded())
        var out: [String] = []
        // Table 1: errors.
        out.append("")
        out.append("errors of the forecasts (observed score − forecast)")
        out.append(pad("", width + 6) + methods.map { "  " + pad($0.0, 16) }.joined())
        out.append(pad("benchmark", width) + lpad("n", 6) + methods.map { _ in lpad("MAE", 8) + lpad("RMSE", 8) + "  " }.joined())
        for (name, keep) in groups {
            let s = methods.map { AccuracySummary($0.1.filter(keep)) }
            out.append(pad(name, width) + lpad(String(s[0].count), 6) + s.map { lpad(f($0.mae), 8) + lpad(f($0.rmse), 8) + "  " }.joined())
        }
        // Table 2: intervals and decisions.
        out.append("")
        out.append("\(pct)% intervals (coverage, mean width) and decision accuracy")
        out.append(pad("", width + 6) + methods.map { "  " + pad($0.0, 22) }.joined())
        out.append(pad("benchmark", width) + lpad("n", 6) + methods.map { _ in lpad("cover", 8) + lpad("width", 8) + lpad("decide", 8) }.joined())
        for (name, keep) in groups {
            let s = methods.map { AccuracySummary($0.1.filter(keep)) }
            out.append(pad(name, width) + lpad(String(s[0].count), 6)
                       + s.map { lpad(f($0.coverage, 3), 8) + lpad(f($0.width, 3), 8) + lpad(f($0.decisionAccuracy, 3), 8) }.joined())
        }
        // Folds: the mean of per-fold MAEs gives every fold the same weight.
        let folds = Set(r.law.map(\.fold))
        if folds.count > 1 {
            let perFold = methods.map { m in
                folds.map { fold in AccuracySummary(m.1.filter { $0.fold == fold }).mae }.reduce(0, +) / Double(folds.count)
            }
            out.append("")
            out.append("mean of per-fold MAE over \(folds.count) folds: " + zip(methods, perFold).map { "\($0.0.0) \(f($0.1))" }.joined(separator: ", "))
        }
        return out
    }
}
