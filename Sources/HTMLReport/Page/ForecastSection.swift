import Foundation
import Plot
import Store

/// Forecasts of benchmark scores with their intervals (`irsl forecast`),
/// and for backtests (`irsl backtest`, with observed scores) predicted
/// against observed and the accuracy tables of the law and its baselines.
enum ForecastSection {
    static let title = "Forecasts"
    /// Rows shown in the table and the interval chart; the file has them all.
    static let tableLimit = 200
    static let chartLimit = 40

    static func make(_ input: ReportInput) -> ReportSection {
        guard let table = input.forecasts else {
            return .omitted("forecasts", title, note: "No forecasts given: pass --forecasts forecasts.csv (irsl forecast, or irsl backtest for forecasts with observed scores).")
        }
        guard !table.rows.isEmpty else {
            return .omitted("forecasts", title, note: "\(table.path) has a header but no forecasts.")
        }
        var nodes: [Node<HTML.BodyContext>] = []
        let models = Set(table.rows.map(\.model)).count, benchmarks = Set(table.rows.map(\.benchmark)).count
        nodes.append(Parts.paragraph("\(Format.integer(table.rows.count)) forecasts for \(models) model(s) on \(benchmarks) benchmark(s), from \(table.path)"
            + (table.hasObserved ? ", with observed scores (a backtest)." : ".")))
        if table.hasObserved && table.rows.contains(where: { $0.observed.isFinite }) {
            nodes.append(observedChart(table))
            nodes.append(.h3("Backtest"))
            nodes.append(backtestTable(table))
        } else {
            nodes.append(intervalChart(table))
        }
        nodes.append(.h3("Forecast table"))
        nodes.append(forecastTable(table))
        return .present("forecasts", title, nodes)
    }

    /// Interval chart of the first forecasts: one row per (model, benchmark).
    static func intervalChart(_ table: ForecastTable) -> Node<HTML.BodyContext> {
        let rows = Array(table.rows.prefix(chartLimit))
        let at = rows.indices.map { Double(rows.count - $0) }   // first row on top
        let labels = rows.map { "\($0.model) · \($0.benchmark)" }
        let marks: [any Mark] = [
            IntervalMark(intervals: rows.indices.map {
                .init(at: at[$0], low: rows[$0].lower, high: rows[$0].upper,
                      title: "\(labels[$0]): [\(Format.fixed(rows[$0].lower, 3)), \(Format.fixed(rows[$0].upper, 3))]")
            }, orientation: .horizontal, color: Palette.categorical[0], width: 2, cap: 4, cssClass: "forecast-interval", label: "interval"),
            ScatterMark(points: rows.indices.map {
                .init(x: rows[$0].predicted, y: at[$0], title: "\(labels[$0]): predicted \(Format.fixed(rows[$0].predicted, 3))")
            }, color: Palette.categorical[0], radius: 4, opacity: 1, cssClass: "forecast-point", label: "predicted score"),
        ]
        let lo = rows.map(\.lower).filter(\.isFinite).min() ?? 0, hi = rows.map(\.upper).filter(\.isFinite).max() ?? 1
        let chart = Chart(id: "forecast-chart", title: "Forecast scores with intervals", height: Double(80 + 20 * rows.count),
                          x: .init(title: "benchmark score", domain: Scale.niceDomain(kind: .linear, lo: min(lo, 0), hi: max(hi, 1))),
                          y: .init(title: "", domain: 0.3...(Double(rows.count) + 0.7), ticks: at, labels: labels),
                          marks: marks)
        let more = table.rows.count > rows.count ? " The first \(rows.count) of \(Format.integer(table.rows.count)) forecasts are shown." : ""
        return Parts.figure(chart, caption: "Predicted benchmark score (dot) and its interval (bar) for each model and benchmark.\(more)")
    }

    /// Predicted against observed scores, with the intervals, colour per benchmark.
    static func observedChart(_ table: ForecastTable) -> Node<HTML.BodyContext> {
        let rows = table.rows.filter { $0.observed.isFinite && $0.predicted.isFinite }
        var order: [String] = []
        for r in rows where !order.contains(r.benchmark) { order.append(r.benchmark) }
        var marks: [any Mark] = [
            LineMark(points: [(x: 0, y: 0), (x: 1, y: 1)], color: Palette.axis, width: 1, dash: "4 4", cssClass: "diagonal", label: "observed = predicted"),
            IntervalMark(intervals: rows.map { .init(at: $0.observed, low: $0.lower, high: $0.upper) },
                         orientation: .horizontal, color: "#bbbbbb", width: 1, cap: 0, cssClass: "forecast-interval", label: "interval"),
        ]
        for (k, b) in order.enumerated() {
            let rs = rows.filter { $0.benchmark == b }
            marks.append(ScatterMark(points: rs.map {
                .init(x: $0.predicted, y: $0.observed,
                      title: "\($0.model) · \(b): predicted \(Format.fixed($0.predicted, 3)) [\(Format.fixed($0.lower, 3)), \(Format.fixed($0.upper, 3))], observed \(Format.fixed($0.observed, 3))")
            }, color: Palette.color(k % Palette.categorical.count), radius: rows.count > 400 ? 2.5 : 3.5, opacity: 0.8,
               cssClass: "forecast-point", label: order.count <= Palette.categorical.count ? b : nil))
        }
        let all = rows.flatMap { [$0.predicted, $0.observed] }
        let domain = Scale.niceDomain(kind: .linear, lo: min(all.min() ?? 0, 0), hi: max(all.max() ?? 1, 0))
        let chart = Chart(id: "forecast-chart", title: "Predicted against observed scores", height: 520,
                          x: .init(title: "predicted score", domain: domain), y: .init(title: "observed score", domain: domain), marks: marks)
        return Parts.figure(chart, caption: "Each point is one held-out model on one benchmark; grey bars are the law's intervals, the dashed line is perfect prediction.")
    }

    /// MAE, RMSE, coverage and width per benchmark and overall, for the law and each baseline.
    static func backtestTable(_ table: ForecastTable) -> Node<HTML.BodyContext> {
        var order: [String] = []
        for r in table.rows where !order.contains(r.benchmark) { order.append(r.benchmark) }
        let methods = ["law"] + table.baselines.map { $0.replacingOccurrences(of: "_", with: " ") }
        func forecasts(_ rows: [ForecastTable.Row], _ m: Int) -> [ForecastTable.Forecast] {
            rows.map { m == 0 ? .init(predicted: $0.predicted, lower: $0.lower, upper: $0.upper) : $0.baselines[m - 1] }
        }
        var header = ["benchmark", "n"]
        for m in methods { header += ["\(m) MAE", "\(m) RMSE", "\(m) coverage", "\(m) width"] }
        var body: [[String]] = []
        for (name, rows) in order.map({ b in (b, table.rows.filter { $0.benchmark == b }) }) + [("overall", table.rows)] {
            var row = [name, ""]
            for m in methods.indices {
                let f = forecasts(rows, m)
                let acc = Statistics.accuracy(predicted: f.map(\.predicted), lower: f.map(\.lower), upper: f.map(\.upper),
                                              observed: rows.map(\.observed))
                if m == 0 { row[1] = Format.integer(acc.count) }
                row += [Format.fixed(acc.mae, 4), Format.fixed(acc.rmse, 4), Format.percent(acc.coverage, 1), Format.fixed(acc.width, 3)]
            }
            body.append(row)
        }
        return Parts.table(id: "backtest-table", header: header, rows: body, numeric: Set(1..<header.count),
                           caption: "Errors of the forecasts against the observed scores; coverage is the share of observed scores inside the interval.")
    }

    static func forecastTable(_ table: ForecastTable) -> Node<HTML.BodyContext> {
        let rows = table.rows.prefix(tableLimit)
        var header = ["model", "benchmark", "predicted", "lower", "upper"]
        if table.hasObserved { header += ["observed", "inside"] }
        let body: [[String]] = rows.map { r in
            var row = [r.model, r.benchmark, Format.fixed(r.predicted, 4), Format.fixed(r.lower, 4), Format.fixed(r.upper, 4)]
            if table.hasObserved {
                row += [Format.fixed(r.observed, 4), r.observed.isFinite ? (r.observed >= r.lower && r.observed <= r.upper ? "yes" : "no") : "—"]
            }
            return row
        }
        let caption = table.rows.count > rows.count ? "The first \(rows.count) of \(Format.integer(table.rows.count)) rows; all are in \(table.path)." : nil
        return Parts.table(id: "forecast-table", header: header, rows: body, numeric: [2, 3, 4, 5], caption: caption)
    }
}
