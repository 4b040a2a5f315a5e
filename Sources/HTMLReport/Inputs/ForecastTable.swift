import Foundation
import Store

/// Forecasts of benchmark scores: `irsl forecast` writes
/// `model,benchmark,predicted,lower,upper`; `irsl backtest` adds
/// `observed,family,fold` and, for each baseline X, the columns
/// `X,X_lower,X_upper`. Columns are found by name; a column pair
/// `X_lower`, `X_upper` next to a column `X` is read as a baseline.
public struct ForecastTable {
    public struct Row: Equatable {
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
    }

    public struct Forecast: Equatable {
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

    public static func read(_ path: String) throws -> ForecastTable {
        try parse(CSVRecords(path: path))
    }

    public static func parse(_ csv: CSVRecords) throws -> ForecastTable {
        let what = "a forecasts CSV of irsl forecast or irsl backtest"
        let model = try csv.requiredColumn("model", purpose: what)
        let benchmark = try csv.requiredColumn("benchmark", purpose: what)
        let predicted = try csv.requiredColumn("predicted", purpose: what)
        let lower = try csv.requiredColumn("lower", purpose: what)
        let upper = try csv.requiredColumn("upper", purpose: what)
        let observed = csv.column("observed")
        let family = csv.column("family"), fold = csv.column("fold")
        let core: Set<Int> = [model, benchmark, predicted, lower, upper]
        var baselineNames: [String] = [], baselineColumns: [(Int, Int, Int)] = []
        for (i, name) in csv.header.enumerated() where !core.contains(i) && !name.isEmpty {
            if let lo = csv.column(name + "_lower"), let hi = csv.column(name + "_upper") {
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
}
