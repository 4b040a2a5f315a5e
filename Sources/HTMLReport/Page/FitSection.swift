import Foundation
import Plot
import Store

/// Fit summary: data shape, response kind, model, iterations, the
/// log-likelihood over iterations, AIC/BIC and the per-benchmark Beta precision.
enum FitSection {
    static func make(_ input: ReportInput, benchmarks: BenchmarkIndex) -> ReportSection {
        let fit = input.fit, at = fit.attributes
        let m = fit.modelNames.count, n = fit.itemIDs.count
        let cells = Double(m) * Double(n)
        var rows: [(String, String)] = [
            ("fit file", input.fitPath),
            ("data", "\(Format.integer(m)) models × \(Format.integer(n)) items, \(fit.benchmarkNames.count) benchmarks"),
            ("observed responses", "\(Format.integer(at.nObservations)) (\(Format.percent(cells > 0 ? Double(at.nObservations) / cells : .nan)) of the matrix)"),
            ("response", at.response + responseNote(at.response)
                + (at.clampedEntries > 0 ? "; \(Format.integer(at.clampedEntries)) responses clamped off 0 and 1" : "")),
            ("model", "\(at.model.uppercased()), K = \(fit.dims) ability dimension\(fit.dims == 1 ? "" : "s")"),
            ("iterations", "\(at.iterations), \(at.converged ? "converged" : "not converged (stopped at the iteration limit)")"),
            ("log-likelihood", Format.grouped(at.loglik)),
            ("free parameters", Format.integer(at.nParameters)),
            ("AIC", Format.grouped(at.aic)),
            ("BIC", Format.grouped(at.bic)),
            ("run", "\(at.ranks) MPI rank\(at.ranks == 1 ? "" : "s"), \(Format.fixed(at.seconds, 1)) s, irsl \(at.irslVersion)"),
        ]
        if !at.command.isEmpty { rows.append(("command", at.command)) }

        var nodes: [Node<HTML.BodyContext>] = [Parts.keyValues(rows, id: "fit-summary")]
        nodes.append(loglikFigure(fit))
        nodes.append(.h3("Benchmarks"))
        nodes.append(benchmarkTable(fit, benchmarks, flagged: input.diagnostics?.flagged))
        if at.response != "beta" {
            nodes.append(Parts.note("The Beta precision φ applies to Beta fits only; this fit uses the \(at.response) likelihood."))
        }
        return .present("fit", "Fit summary", nodes)
    }

    static func responseNote(_ response: String) -> String {
        switch response {
        case "beta": return " (scores in (0, 1), Beta likelihood with a precision φ per benchmark)"
        case "bernoulli": return " (0/1 outcomes, Bernoulli likelihood)"
        case "binomial": return " (successes / trials, binomial likelihood)"
        default: return ""
        }
    }

    static func loglikFigure(_ fit: FitResult) -> Node<HTML.BodyContext> {
        let history = fit.logLikelihoodHistory
        guard !history.isEmpty else { return Parts.note("The fit file has no /history/loglik: no curve to draw.") }
        let points = history.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }
        let chart = Chart(
            id: "loglik-chart", title: "Log-likelihood after each iteration", height: 300,
            x: .init(title: "iteration", domain: history.count == 1 ? 0...2 : nil, tickTarget: 8),
            y: .init(title: "log-likelihood"),
            marks: [
                LineMark(points: points, color: Palette.categorical[0], cssClass: "loglik"),
                ScatterMark(points: points.map { .init(x: $0.x, y: $0.y, title: "iteration \(Int($0.x)): \(Format.number($0.y, digits: 9))") },
                            color: Palette.categorical[0], radius: history.count > 60 ? 1.5 : 3, opacity: 1, cssClass: "loglik-points"),
            ])
        let first = history.first!, last = history.last!
        return Parts.figure(chart, caption: "Log-likelihood after each of the \(history.count) iterations, from \(Format.grouped(first)) to \(Format.grouped(last)); the fit stops when its relative change and the largest parameter change are both small (docs/estimator.md).")
    }

    static func benchmarkTable(_ fit: FitResult, _ b: BenchmarkIndex, flagged: Set<String>?) -> Node<HTML.BodyContext> {
        let difficulty = fit.b
        var header = ["benchmark", "items", "mean a", "median b", "φ (Beta precision)"]
        if flagged != nil { header.append("flagged items") }
        let rows: [[String]] = b.names.indices.map { k in
            let js = b.items[k]
            let a = js.map { fit.a[$0 * fit.dims] }
            var row = [b.names[k], Format.integer(js.count), Format.number(Statistics.mean(a), digits: 3),
                       difficulty.map { d in Format.number(Statistics.quantile(js.map { d[$0] }, 0.5), digits: 3) } ?? "—",
                       Format.number(b.phi[k], digits: 4)]
            if let flagged { row.append(Format.integer(js.filter { flagged.contains(fit.itemIDs[$0]) }.count)) }
            return row
        }
        return Parts.table(id: "benchmark-table", header: header, rows: rows, numeric: Set(1..<header.count))
    }
}
