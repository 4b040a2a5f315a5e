import Foundation
import IRT
import Plot
import Store

/// Test information curves per benchmark, for all items and for the subset
/// chosen by `irsl select`.
enum InformationSection {
    static let title = "Test information"

    static func make(_ input: ReportInput, benchmarks: BenchmarkIndex, slugs: inout Slugger) -> ReportSection {
        let fit = input.fit
        guard fit.dims == 1 else {
            return .omitted("information", title, note: "Information curves are drawn for K = 1 fits; this fit has K = \(fit.dims).")
        }
        let response = fit.attributes.response
        let theta = fit.theta.filter(\.isFinite)
        let lo = min(-3, (theta.min() ?? -3) - 0.5), hi = max(3, (theta.max() ?? 3) + 0.5)
        let grid = (0...160).map { lo + (hi - lo) * Double($0) / 160 }

        // Subset items: the fit's parameters when the fit knows the id, else the CSV's.
        var index: [String: Int] = [:]
        for (j, id) in fit.itemIDs.enumerated() where index[id] == nil { index[id] = j }
        var subsetByBenchmark: [String: [(a: Double, d: Double, g: Double)]] = [:]
        var unknown = 0
        for row in input.subset?.rows ?? [] {
            if let j = index[row.item] {
                subsetByBenchmark[fit.itemBenchmarks[j], default: []].append((fit.a[j], fit.d[j], fit.g[j]))
            } else if let b = row.benchmark, row.a.isFinite, row.d.isFinite {
                subsetByBenchmark[b, default: []].append((row.a, row.d, row.g.isFinite ? row.g : 0))
            } else {
                unknown += 1
            }
        }

        let median = Statistics.quantile(theta, 0.5)
        var panels: [(Chart, String)] = []
        var rows: [[String]] = []
        for (bi, name) in benchmarks.names.enumerated() {
            let items = benchmarks.items[bi].map { (a: fit.a[$0], d: fit.d[$0], g: fit.g[$0]) }
            let phi = benchmarks.phi[bi]
            let all = ItemInformation.curve(grid: grid, items: items, response: response, phi: phi)
            var marks: [any Mark] = [
                LineMark(points: zip(grid, all).map { (x: $0, y: $1) }, color: Palette.color(bi % Palette.categorical.count),
                         width: 2.2, cssClass: "info-all", label: "all \(items.count) items"),
            ]
            let chosen = subsetByBenchmark[name] ?? []
            var subsetAtMedian = Double.nan
            if input.subset != nil && !chosen.isEmpty {
                let sub = ItemInformation.curve(grid: grid, items: chosen, response: response, phi: phi)
                marks.append(LineMark(points: zip(grid, sub).map { (x: $0, y: $1) }, color: Palette.ink, width: 2, dash: "6 3",
                                      cssClass: "info-subset", label: "subset, \(chosen.count) items"))
                subsetAtMedian = ItemInformation.curve(grid: [median], items: chosen, response: response, phi: phi)[0]
            }
            let allAtMedian = ItemInformation.curve(grid: [median], items: items, response: response, phi: phi)[0]
            let chart = Chart(id: slugs.slug("information", name), title: "Test information of \(name)", width: 440, height: 300,
                              x: .init(title: "ability θ", domain: lo...hi), y: .init(title: "information I(θ)", include: [0]),
                              marks: marks)
            var caption = "\(name)"
            if response == "beta" { caption += ", φ = \(Format.number(phi, digits: 3))" }
            if subsetAtMedian.isFinite { caption += "; the subset keeps \(Format.percent(subsetAtMedian / allAtMedian, 0)) of the information at the median ability" }
            panels.append((chart, caption))
            rows.append([name, Format.integer(items.count), Format.number(allAtMedian, digits: 4), Format.number(1 / allAtMedian.squareRoot(), digits: 3)]
                        + (input.subset == nil ? [] : [Format.integer(chosen.count), Format.number(subsetAtMedian, digits: 4),
                                                       Format.number(1 / subsetAtMedian.squareRoot(), digits: 3)]))
        }

        var nodes: [Node<HTML.BodyContext>] = []
        let formula = response == "beta"
            ? "Beta items: I(θ) = a²·φ²·[dP/dη]²·(ψ′(μφ) + ψ′((1−μ)φ)) with μ = P(θ)"
            : "\(response == "binomial" ? "Binomial items (per trial)" : "Bernoulli items"): I(θ) = a²·[dP/dη]² / (P(1−P)), the 3PL form with the floor g"
        nodes.append(Parts.paragraph("Fisher information about the ability carried by each benchmark's items, summed over items. \(formula); the standard error of an ability measured with these items is about 1/√I(θ)."))
        if let subset = input.subset {
            nodes.append(Parts.paragraph("Dashed: the \(Format.integer(subset.rows.count)) items selected in \(subset.path) (irsl select)."
                + (unknown > 0 ? " \(unknown) selected item(s) are neither in the fit nor carry parameters and are left out." : "")))
        } else {
            nodes.append(Parts.note("No subset given: pass --subset subset.csv (irsl select) to compare a selected subset with all items."))
        }
        nodes.append(Parts.grid(panels))
        var header = ["benchmark", "items", "I(median θ)", "SE(median θ)"]
        if input.subset != nil { header += ["subset items", "subset I(median θ)", "subset SE"] }
        nodes.append(Parts.table(id: "information-table", header: header, rows: rows, numeric: Set(1..<header.count),
                                 caption: "Information at the median ability of the fit's models, θ = \(Format.fixed(median, 2))."))
        return .present("information", title, nodes)
    }
}
