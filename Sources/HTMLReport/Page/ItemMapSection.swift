import Foundation
import Plot
import Store

/// Discrimination against difficulty (b = −d/a), one panel per benchmark,
/// with the items flagged by `irsl items` highlighted; every point's hover
/// text names the item.
enum ItemMapSection {
    static let title = "Item map"

    static func make(_ input: ReportInput, benchmarks: BenchmarkIndex, slugs: inout Slugger) -> ReportSection {
        let fit = input.fit, k = fit.dims
        // K = 1: a and b = −d/a. K > 1: the multidimensional discrimination
        // ‖a‖ and difficulty −d/‖a‖ (Reckase), which reduce to a and b for K = 1.
        let disc: [Double] = (0..<fit.itemIDs.count).map { j in
            k == 1 ? fit.a[j] : (0..<k).reduce(0) { $0 + fit.a[j * k + $1] * fit.a[j * k + $1] }.squareRoot()
        }
        let diff: [Double] = disc.indices.map { -fit.d[$0] / disc[$0] }
        let flagged = input.diagnostics?.flagged ?? []
        let flags = input.diagnostics?.flags ?? [:]

        // One range for every panel, robust to the few items whose b runs off
        // to ±∞ as a → 0; items outside are drawn at the edge.
        let xLo = Statistics.quantile(diff, 0.01), xHi = Statistics.quantile(diff, 0.99)
        let yLo = min(0, Statistics.quantile(disc, 0.005)), yHi = Statistics.quantile(disc, 0.995)
        let xDomain = xLo.isFinite && xHi.isFinite ? Scale.niceDomain(kind: .linear, lo: xLo, hi: xHi) : -4...4
        let yDomain = yLo.isFinite && yHi.isFinite ? Scale.niceDomain(kind: .linear, lo: yLo, hi: yHi) : 0...3
        let outside = diff.indices.filter { !xDomain.contains(diff[$0]) || !yDomain.contains(disc[$0]) }.count

        let flaggedInFit = flagged.intersection(fit.itemIDs).count
        var panels: [(Chart, String)] = []
        for (bi, name) in benchmarks.names.enumerated() {
            let items = benchmarks.items[bi]
            func point(_ j: Int) -> ScatterMark.Point {
                var t = "\(fit.itemIDs[j]) — a = \(Format.fixed(disc[j], 3)), b = \(Format.fixed(diff[j], 3))"
                if let f = flags[fit.itemIDs[j]], !f.isEmpty { t += "; flagged: " + f.joined(separator: ", ") }
                return .init(x: diff[j], y: disc[j], title: t)
            }
            let plain = items.filter { !flagged.contains(fit.itemIDs[$0]) }
            let bad = items.filter { flagged.contains(fit.itemIDs[$0]) }
            var marks: [any Mark] = [
                ScatterMark(points: plain.map(point), color: Palette.color(bi % Palette.categorical.count), radius: 2.6,
                            opacity: 0.7, cssClass: "item", label: "items", clampToArea: true),
            ]
            if input.diagnostics != nil {
                marks.append(ScatterMark(points: bad.map(point), color: Palette.alert, radius: 3.6, opacity: 0.95,
                                         cssClass: "item flagged", label: flaggedInFit > 0 ? "flagged" : nil, clampToArea: true))
            }
            let chart = Chart(id: slugs.slug("item-map", name), title: "Item map of \(name)", width: 440, height: 330,
                              x: .init(title: k == 1 ? "difficulty b = −d/a" : "difficulty −d/‖a‖", domain: xDomain),
                              y: .init(title: k == 1 ? "discrimination a" : "discrimination ‖a‖", domain: yDomain),
                              marks: marks)
            panels.append((chart, "\(name): \(Format.integer(items.count)) items" + (input.diagnostics == nil ? "" : ", \(bad.count) flagged")))
        }

        var nodes: [Node<HTML.BodyContext>] = []
        var intro = "Each point is an item: its discrimination against its difficulty, one panel per benchmark (hover for the item id)."
        if outside > 0 { intro += " \(Format.integer(outside)) item(s) outside the common range are drawn at the edge with a dark outline." }
        if k > 1 { intro += " For K = \(k) the axes are the multidimensional discrimination ‖a‖ and difficulty −d/‖a‖." }
        nodes.append(Parts.paragraph(intro))
        if let diagnostics = input.diagnostics {
            let unknown = diagnostics.flagged.subtracting(fit.itemIDs).count
            nodes.append(Parts.paragraph((flaggedInFit == 0 ? "No item of the fit is flagged in \(diagnostics.path) (irsl items)."
                : "Red: the \(Format.integer(flaggedInFit)) items flagged in \(diagnostics.path) (irsl items).")
                + (unknown > 0 ? " \(unknown) flagged item id(s) are not in the fit and are ignored." : "")))
        } else {
            nodes.append(Parts.note("No diagnostics given: pass --diagnostics diagnostics.csv (irsl items) to highlight flagged items."))
        }
        nodes.append(Parts.grid(panels))
        return .present("items", title, nodes)
    }
}
