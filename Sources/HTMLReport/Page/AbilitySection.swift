import Foundation
import Plot
import Store

/// Abilities against training compute, one colour per family, with the
/// fitted scaling law and its prediction band (or, without a law, a least
/// squares line), and the law's forecasts for held-out models with their
/// fitted abilities where the fit has them.
enum AbilitySection {
    static let title = "Abilities and compute"

    static func make(_ input: ReportInput) -> ReportSection {
        let fit = input.fit
        let theta = (0..<fit.modelNames.count).map { fit.theta[$0 * fit.dims] }
        var nodes: [Node<HTML.BodyContext>] = []
        if fit.dims > 1 {
            nodes.append(Parts.note("This fit has K = \(fit.dims) ability dimensions; the chart shows dimension 1."))
        }
        guard let models = input.models else {
            nodes.append(Parts.note((input.modelsNote ?? "The fit's input response file was not found.")
                + " Without families and compute the abilities are shown as a histogram; pass --input RESPONSES.h5 for the chart against compute."))
            nodes.append(histogram(theta))
            if let law = input.law { nodes.append(lawSummary(law)) }
            return .present("abilities", title, nodes)
        }
        let known = models.lookup(fit.modelNames)
        let withCompute = known.indices.filter { known[$0].flops > 0 && known[$0].flops.isFinite && theta[$0].isFinite }
        guard !withCompute.isEmpty else {
            nodes.append(Parts.note("\(models.source) has no FLOPs (nor parameters and tokens) for the fit's models, so abilities are shown as a histogram."))
            nodes.append(histogram(theta))
            if let law = input.law { nodes.append(lawSummary(law)) }
            return .present("abilities", title, nodes)
        }

        // Families by size; the ten largest get their own colour, the rest share grey.
        var counts: [String: Int] = [:]
        for i in withCompute { counts[known[i].family ?? "", default: 0] += 1 }
        let ordered = counts.keys.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
        let coloured = Array(ordered.prefix(Palette.categorical.count))
        func colour(_ family: String) -> String {
            coloured.firstIndex(of: family).map(Palette.color) ?? Palette.other
        }

        var marks: [any Mark] = []
        var caption = "\(Format.integer(withCompute.count)) of \(Format.integer(fit.modelNames.count)) models with known compute (from \(models.source))"
        if withCompute.count < fit.modelNames.count {
            caption += "; \(Format.integer(fit.modelNames.count - withCompute.count)) without compute are left out"
        }
        caption += ". Hover a point for the model."

        // Points first, lines over them: with thousands of models a line under the cloud would vanish.
        for family in ordered {
            let members = withCompute.filter { (known[$0].family ?? "") == family }
            let label = coloured.contains(family) ? (family.isEmpty ? "no family" : family) : "other families"
            marks.append(ScatterMark(
                points: members.map { i in
                    .init(x: known[i].flops, y: theta[i],
                          title: "\(fit.modelNames[i]) — \(family.isEmpty ? "no family" : family), θ = \(Format.fixed(theta[i], 3)), \(Format.flops(known[i].flops)) FLOPs")
                },
                color: colour(family), radius: withCompute.count > 500 ? 2.6 : 3.5, opacity: 0.75, cssClass: "model", label: label))
        }

        if let law = input.law, !law.curve.isEmpty {
            let pct = Int((law.level * 100).rounded())
            marks.insert(BandMark(x: law.curve.map(\.flops), lower: law.curve.map(\.lower), upper: law.curve.map(\.upper),
                                  color: Palette.ink, opacity: 0.12, cssClass: "law-band",
                                  label: "\(pct)% prediction band, new family"), at: 0)
            for f in law.familyCurves where coloured.contains(f.family) {
                marks.append(LineMark(points: f.points.map { (x: $0.flops, y: $0.mean) }, color: colour(f.family), width: 1.5,
                                      dash: "5 3", cssClass: "law-family", title: "law for family \(f.family)"))
            }
            marks.append(LineMark(points: law.curve.map { (x: $0.flops, y: $0.mean) }, color: Palette.ink, width: 2.5,
                                  cssClass: "law-line", label: "scaling law (population)"))
            caption += " The solid black line is the law of \(law.source) for the population (a family it has not seen), the grey band its \(pct)% prediction interval for a new model of a new family, the dashed lines each family's own line."
        } else if let ls = Statistics.leastSquares(x: withCompute.map { log10(known[$0].flops) }, y: withCompute.map { theta[$0] }) {
            let xs = withCompute.map { known[$0].flops }
            let lo = xs.min()!, hi = xs.max()!
            let line = stride(from: 0, through: 1, by: 0.05).map { t -> (x: Double, y: Double) in
                let lx = log10(lo) + t * (log10(hi) - log10(lo))
                return (pow(10, lx), ls.intercept + ls.slope * lx)
            }
            marks.append(LineMark(points: line, color: Palette.ink, width: 2.5, cssClass: "least-squares", label: "least squares"))
            caption += " Least-squares line θ = \(Format.number(ls.intercept, digits: 3)) + \(Format.number(ls.slope, digits: 3)) · log₁₀ FLOPs (R² = \(Format.fixed(ls.r2, 2))); pass --law LAW.h5 (irsl law) for the fitted scaling law and its prediction band."
            if input.law != nil { caption += " The law uses parameters and tokens, which compute alone cannot draw." }
        }

        if let law = input.law, !law.forecasts.isEmpty {
            let shown = law.forecasts.filter { $0.flops > 0 && $0.flops.isFinite && $0.mean.isFinite }
            let pct = Int((law.level * 100).rounded())
            marks.append(IntervalMark(intervals: shown.map {
                .init(at: $0.flops, low: $0.lower, high: $0.upper, title: "\($0.name): \(pct)% interval [\(Format.fixed($0.lower, 3)), \(Format.fixed($0.upper, 3))]")
            }, color: Palette.alert, width: 1.8, cap: 4, cssClass: "forecast-interval"))
            marks.append(ScatterMark(points: shown.map {
                .init(x: $0.flops, y: $0.mean, title: "\($0.name) — forecast θ = \(Format.fixed($0.mean, 3)) [\(Format.fixed($0.lower, 3)), \(Format.fixed($0.upper, 3))], \(Format.flops($0.flops)) FLOPs")
            }, color: Palette.alert, radius: 5, symbol: .diamond, hollow: true, opacity: 1, cssClass: "forecast",
               label: "forecast (\(pct)% interval)"))
            let truth = shown.filter { $0.fitted.isFinite }
            if !truth.isEmpty {
                marks.append(ScatterMark(points: truth.map {
                    .init(x: $0.flops, y: $0.fitted, title: "\($0.name) — fitted θ = \(Format.fixed($0.fitted, 3))")
                }, color: Palette.ink, radius: 5.5, hollow: true, opacity: 1, cssClass: "forecast-truth", label: "fitted ability of a forecast model"))
            }
            caption += " Red diamonds: the law's ability forecasts for \(shown.count) model(s) of the forecasts file with known compute"
                + (truth.isEmpty ? "." : ", black rings their fitted abilities (the true values) where the fit has them.")
            if shown.count < law.forecasts.count {
                caption += " \(law.forecasts.count - shown.count) forecast model(s) have no compute and are not drawn."
            }
        }

        let chart = Chart(id: "ability-chart", title: "Ability against training compute", height: 520,
                          x: .init(.log, title: "training compute (FLOPs, log scale)"),
                          y: .init(title: fit.dims > 1 ? "ability θ₁" : "ability θ"),
                          marks: marks)
        nodes.append(Parts.figure(chart, caption: caption))
        if let law = input.law { nodes.append(lawSummary(law)) }
        return .present("abilities", title, nodes)
    }

    static func lawSummary(_ law: LawOverlay) -> Node<HTML.BodyContext> {
        .div(.class("law-summary"),
             .h3(Parts.data("Scaling law (\(law.source), \(law.covariates) covariates)")),
             .ul(.group(law.summary.map { .li(Parts.data($0)) })))
    }

    /// θ in 24 bins, for when compute is unknown.
    static func histogram(_ theta: [Double]) -> Node<HTML.BodyContext> {
        let v = theta.filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max() else { return Parts.note("No finite abilities to show.") }
        let bins = 24
        let width = hi > lo ? (hi - lo) / Double(bins) : 1
        var counts = [Int](repeating: 0, count: bins)
        for t in v { counts[min(Int((t - lo) / width), bins - 1)] += 1 }
        let bars = counts.enumerated().map { k, c in
            BarMark.Bar(x0: lo + Double(k) * width, x1: lo + Double(k + 1) * width, height: Double(c),
                        title: "\(c) models with θ in [\(Format.fixed(lo + Double(k) * width, 2)), \(Format.fixed(lo + Double(k + 1) * width, 2)))")
        }
        let chart = Chart(id: "ability-histogram", title: "Distribution of abilities", height: 300,
                          x: .init(title: "ability θ"), y: .init(title: "models", include: [0]),
                          marks: [BarMark(bars: bars, color: Palette.categorical[0], cssClass: "ability-bars")])
        return Parts.figure(chart, caption: "Abilities of the \(Format.integer(v.count)) models of the fit.")
    }
}
