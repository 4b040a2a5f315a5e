import Foundation

/// Forecasts of benchmark scores: `irsl forecast` writes
/// `model,benchmark,predicted,lower,upper`; `irsl backtest` adds
/// `observed,family,fold` and, for each baseline X, the columns
/// `X,X_lower,X_upper`. Columns are found by name; a column pair
/// `X_lower`, `X_upper` next to a column `X` is read as a baseline.
public struct ForecastTable: Sendable, CSVReadable {
    public struct Row: Equatable, Sendable {
        public var model: String
        public var benchmark: String
        public var predicted: Double
        public var lower: Double
        public var upper: Double
        /// The observed score (backtests), NaN when unknown.
        public var observed: Double
        public var family: String?
        public var fold: String?
        /// Baseline forecasts, in `baselines` order: (predicted, lower, upper).
        public var baselines: [Forecast]

        public init(model: String, benchmark: String, predicted: Double, lower: Double, upper: Double,
                    observed: Double = .nan, family: String? = nil, fold: String? = nil, baselines: [Forecast] = []) {
            self.model = model; self.benchmark = benchmark; self.predicted = predicted; self.lower = lower; self.upper = upper
            self.observed = observed; self.family = family; self.fold = fold; self.baselines = baselines
        }
    }

    public struct Forecast: Equatable, Sendable {
        public var predicted: Double, lower: Double, upper: Double
        public init(predicted: Double, lower: Double, upper: Double) {
            self.predicted = predicted; self.lower = lower; self.upper = upper
        }
    }

    public var path: String
    public var rows: [Row]
    /// Names of the baseline columns found (e.g. flops_only, family_flops).
    public var baselines: [String]
    /// Whether the file has an `observed` column (a backtest).
    public var hasObserved: Bool

    public init(path: String, rows: [Row], baselines: [String], hasObserved: Bool) {
        self.path = path; self.rows = rows; self.baselines = baselines; self.hasObserved = hasObserved
    }

    public static func parse(_ csv: CSVTable) throws -> ForecastTable {
        let what = "a forecasts CSV of irsl forecast or irsl backtest"
        let model = try csv.requiredColumn("model", purpose: what)
        let benchmark = try csv.requiredColumn("benchmark", purpose: what)
        let predicted = try csv.requiredColumn("predicted", purpose: what)
        let lower = try csv.requiredColumn("lower", purpose: what)
        let upper = try csv.requiredColumn("upper", purpose: what)
        let observed = csv.columnIndex("observed")
        let family = csv.columnIndex("family"), fold = csv.columnIndex("fold")
        let core: Set<Int> = [model, benchmark, predicted, lower, upper]
        var baselineNames: [String] = [], baselineColumns: [(Int, Int, Int)] = []
        for (i, name) in csv.header.enumerated() where !core.contains(i) && !name.isEmpty {
            if let lo = csv.columnIndex(name + "_lower"), let hi = csv.columnIndex(name + "_upper") {
                baselineNames.append(name); baselineColumns.append((i, lo, hi))
            }
        }
        var rows: [Row] = []
        for r in csv.rows.indices {
            let name = csv.text(r, model)
            guard !name.isEmpty else {
                throw StoreError(file: csv.path, field: "column model, line \(csv.lines[r])", message: "empty model name")
            }
            rows.append(Row(
                model: name, benchmark: csv.text(r, benchmark),
                predicted: try csv.number(r, predicted), lower: try csv.number(r, lower), upper: try csv.number(r, upper),
                observed: try observed.map { try csv.number(r, $0) } ?? .nan,
                family: family.map { csv.text(r, $0) }.flatMap { $0.isEmpty ? nil : $0 },
                fold: fold.map { csv.text(r, $0) }.flatMap { $0.isEmpty ? nil : $0 },
                baselines: try baselineColumns.map {
                    Forecast(predicted: try csv.number(r, $0.0), lower: try csv.number(r, $0.1), upper: try csv.number(r, $0.2))
                }))
        }
        return ForecastTable(path: csv.path, rows: rows, baselines: baselineNames, hasObserved: observed != nil)
    }

    /// The file's text, the layout `parse` reads: `model,benchmark,predicted,lower,upper`,
    /// then `observed,family,fold` when `hasObserved`, then `X,X_lower,X_upper`
    /// for each baseline X (NaN and nil are empty cells).
    public func csv() -> String {
        var w = CSVWriter()
        w.row(["model", "benchmark", "predicted", "lower", "upper"] + (hasObserved ? ["observed", "family", "fold"] : [])
              + baselines.flatMap { [$0, $0 + "_lower", $0 + "_upper"] })
        let num = CSVWriter.number
        for r in rows {
            w.row([r.model, r.benchmark, num(r.predicted), num(r.lower), num(r.upper)]
                  + (hasObserved ? [num(r.observed), r.family ?? "", r.fold ?? ""] : [])
                  + r.baselines.flatMap { [num($0.predicted), num($0.lower), num($0.upper)] })
        }
        return w.text
    }
}
