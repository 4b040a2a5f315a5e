import Plot
import Store

/// One part of the report: its anchor, heading, and either content or the
/// reason it is left out.
struct ReportSection {
    let id: String
    let title: String
    /// nil when the section is omitted.
    let content: Node<HTML.BodyContext>?
    /// Why it is omitted (for the note and the navigation).
    let omittedNote: String?

    static func present(_ id: String, _ title: String, _ nodes: [Node<HTML.BodyContext>]) -> ReportSection {
        ReportSection(id: id, title: title, content: .section(.id(id), .h2(Parts.data(title)), .group(nodes)), omittedNote: nil)
    }

    static func omitted(_ id: String, _ title: String, note: String) -> ReportSection {
        ReportSection(id: id, title: title, content: nil, omittedNote: note)
    }

    var node: Node<HTML.BodyContext> {
        content ?? Parts.omitted(id: id, title: title, note: omittedNote ?? "")
    }
}

/// What the sections share: per-benchmark item indices and colours.
struct BenchmarkIndex {
    let names: [String]
    /// Item indices of each benchmark, in `names` order.
    let items: [[Int]]
    let phi: [Double]

    init(_ fit: Store.FitResult) {
        var names = fit.benchmarkNames, phi = fit.phi
        var position: [String: Int] = [:]
        for (i, n) in names.enumerated() where position[n] == nil { position[n] = i }
        var items = [[Int]](repeating: [], count: names.count)
        for (j, b) in fit.itemBenchmarks.enumerated() {
            if let p = position[b] { items[p].append(j) } else {
                // A benchmark missing from /benchmarks/name: keep its items, without φ.
                position[b] = names.count; names.append(b); phi.append(.nan); items.append([j])
            }
        }
        self.names = names; self.items = items; self.phi = phi
    }
}
