import Foundation
import Store

/// Pearson estimate of the quasi-likelihood dispersion of each benchmark:
/// ψ_b = Σ t (y − P)² / (P(1 − P)) over the benchmark's observed entries,
/// divided by their count less their share of the fit's parameters (M·K
/// abilities and N·(K + 1) item parameters, spread in proportion to the
/// entries).
///
/// Why: scores that are accuracies over many questions are fitted well by
/// the Bernoulli pseudo-likelihood (only the mean must be right, and exact
/// zeros need no clamping), but their scatter around P is far below
/// Bernoulli's P(1 − P). The quasi-binomial model keeps the mean and
/// rescales the variance to ψ P(1 − P); a forecast's response noise uses
/// it. For true 0/1 data ψ ≈ 1. P(1 − P) is floored at 1e-6 so saturated
/// items stay finite.
public struct DispersionAccumulator {
    let bank: CalibratedItems
    var sum: [Double]
    var entries: [Double]
    var rows = 0

    public init(bank: CalibratedItems) {
        self.bank = bank
        sum = [Double](repeating: 0, count: bank.benchmarkNames.count)
        entries = sum
    }

    /// Adds one fitted row: its responses and trials in the bank's item order, and its ability.
    public mutating func add<R: Collection, T: Collection>(responses: R, trials: T?, theta: [Double])
    where R.Element == Float, T.Element == Float {
        let t = trials.map(Array.init)
        for (j, y) in responses.enumerated() where !y.isNaN {
            let p = bank.probability(j, theta: theta)
            let w = Double(t?[j] ?? 1)
            let b = bank.benchmarkOfItem[j]
            sum[b] += w * (Double(y) - p) * (Double(y) - p) / max(p * (1 - p), 1e-6)
            entries[b] += 1
        }
        rows += 1
    }

    /// ψ per benchmark (1 where a benchmark had no entries).
    public func dispersion() -> [Double] {
        let total = entries.reduce(0, +)
        let parameters = Double(rows * bank.dims + bank.count * (bank.dims + 1))
        let keep = total > parameters ? (total - parameters) / total : 1
        return sum.indices.map { entries[$0] > 0 ? sum[$0] / (entries[$0] * keep) : 1 }
    }
}

extension CalibratedItems {
    /// The dispersion of a fit's benchmarks from its response file: the rows
    /// of the fit's models (matched by name) and its items (matched by id),
    /// read block by block, at the fit's abilities.
    public func estimateDispersion(responseFile path: String, modelNames: [String], theta: [Double]) throws -> [Double] {
        var acc = DispersionAccumulator(bank: self)
        let k = dims
        try forEachFitRow(responseFile: path, modelNames: modelNames) { m, row, trials in
            acc.add(responses: row, trials: trials, theta: Array(theta[(m * k)..<((m + 1) * k)]))
        }
        return acc.dispersion()
    }

    /// Calls `body` with every row of the response file that belongs to one
    /// of the fit's models (matched by name), as (fit model index, the row's
    /// responses in the fit's item order, its trials when the likelihood
    /// needs them), reading the file block by block.
    public func forEachFitRow(responseFile path: String, modelNames: [String],
                              _ body: (Int, [Float], [Float]?) throws -> Void) throws {
        let info = try ResponseFileInfo.read(path)
        var column: [String: Int] = [:]
        for (j, id) in info.itemIDs.enumerated() where column[id] == nil { column[id] = j }
        let map = try itemIDs.map { id -> Int in
            guard let j = column[id] else {
                throw StoreError(file: path, field: ResponseLayout.itemIDs, message: "no item '\(id)' of the fit; is this the fit's response file?")
            }
            return j
        }
        var fitRow: [String: Int] = [:]
        for (m, name) in modelNames.enumerated() where fitRow[name] == nil { fitRow[name] = m }
        let reader = try ResponseRows(path: path, info: info, trials: info.hasTrials)
        defer { reader.close() }
        let n = info.items
        try reader.forEachBlock { block, y, t in
            for r in 0..<block.count {
                guard let m = fitRow[info.modelNames[block.lowerBound + r]] else { continue }
                let row = map.map { y[r * n + $0] }
                let trials: [Float]? = response.needsTrials ? t.map { t in map.map { Float(t[r * n + $0]) } } : nil
                try body(m, row, trials)
            }
        }
    }
}
