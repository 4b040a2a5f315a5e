import Foundation
import IRT
import Store

/// One rank's contiguous block of model rows: the only part of the response
/// matrix this process ever holds.
public struct Shard {
    /// Global index of the first row.
    public let rowStart: Int
    public let rows: Int
    public let items: Int
    /// [rows × items] row-major; NaN = missing.
    public var responses: [Float]
    /// Trial counts for binomial data, same layout; nil means one trial each.
    public var trials: [Float]?
    /// Entries moved from exactly 0 or 1 to ε or 1 − ε for the Beta likelihood.
    public private(set) var clampedEntries = 0
    /// Non-missing entries.
    public private(set) var observedEntries = 0

    public init(rowStart: Int, rows: Int, items: Int, responses: [Float], trials: [Float]? = nil) {
        precondition(responses.count == rows * items)
        self.rowStart = rowStart; self.rows = rows; self.items = items
        self.responses = responses; self.trials = trials
    }

    /// Reads rows `partition` of `/responses` (and `/trials`) with one hyperslab each.
    public static func load(_ path: String, info: ResponseFileInfo, rows partition: Range<Int>, needTrials: Bool) throws -> Shard {
        let reader = try ResponseRows(path: path, info: info, trials: needTrials,
                                      why: "the binomial likelihood needs trial counts; the file has none (use --response beta or bernoulli)")
        defer { reader.close() }
        let (responses, counts) = try reader.read(partition)
        return Shard(rowStart: partition.lowerBound, rows: partition.count, items: info.items, responses: responses,
                     trials: counts.map { $0.map { Float($0) } })
    }

    /// Checks every entry and prepares it for `response`: values must be NaN
    /// or in [0, 1]; trials positive where a response is present; Beta
    /// responses are clamped into [ε, 1 − ε].
    public mutating func prepare(for response: ResponseModel, path: String, itemIDs: [String]) throws {
        var clamped = 0, observed = 0
        let n = items
        let lo = betaClampEpsilon, hi = 1 - betaClampEpsilon
        for i in 0..<(rows * n) {
            let y = responses[i]
            if y.isNaN { continue }
            guard y >= 0, y <= 1 else {
                throw StoreError(file: path, field: "/responses", message: "entry [\(rowStart + i / n), \(i % n)] (item \(itemIDs[i % n])) is \(y); expected a value in [0, 1] or NaN for missing")
            }
            if let t = trials, !(t[i] >= 1) {
                throw StoreError(file: path, field: "/trials", message: "entry [\(rowStart + i / n), \(i % n)] is \(t[i]); expected a positive trial count where a response is present")
            }
            observed += 1
            if response == .beta, y < lo || y > hi {
                responses[i] = min(max(y, lo), hi)
                clamped += 1
            }
        }
        clampedEntries = clamped
        observedEntries = observed
    }
}
