/// The benchmarks of a file's items in order of first appearance in
/// `/items/benchmark`, and each item's index into them: the order of every
/// per-benchmark array (`/benchmarks/*` of a fit, `/truth/phi`; see
/// docs/format.md, "Benchmark order"). Derived here once for the fit, the
/// backtest, the subset evaluation and the calibrated items.
public struct BenchmarkIndex: Sendable, Equatable {
    /// Distinct benchmarks, in order of first appearance.
    public let names: [String]
    /// Index into `names` of every item.
    public let ofItem: [Int]

    public init(itemBenchmarks: [String]) {
        var names: [String] = [], index: [String: Int] = [:]
        ofItem = itemBenchmarks.map { b in
            if let i = index[b] { return i }
            index[b] = names.count; names.append(b); return names.count - 1
        }
        self.names = names
    }

    public var count: Int { names.count }

    /// The items of each benchmark, in item order.
    public var itemsOf: [[Int]] {
        var out = [[Int]](repeating: [], count: names.count)
        for (j, b) in ofItem.enumerated() { out[b].append(j) }
        return out
    }
}
