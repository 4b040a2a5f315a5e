import Foundation
import Store

/// The resolution at which a benchmark's scores were reported: 0.01 when
/// every observed response of the benchmark is a multiple of 0.01 (scores
/// published as rounded percentages, as on the Open LLM Leaderboard), 0.001
/// for multiples of 0.001, else 0 (no rounding to account for).
///
/// Why: a forecast is compared with the score as published, and that score
/// carries the rounding error e ~ U(−r/2, r/2). Near the floor of a
/// benchmark the forecast's own spread is small (σ′ is flat there), and an
/// interval [0.112, 0.159] misses a reported 0.11 by the rounding alone;
/// the forecast's draws add the rounding error of the benchmark's mean,
/// whose variance is r²/(12 n) for n rounded items (`Forecaster`).
///
/// Detection needs at least `minimumCount` responses that are not all 0 or
/// 1 (0/1 data are exact, not rounded); a value counts as a multiple of r
/// when within 2·10⁻⁴ r of one (responses are stored as Float32). By chance
/// alone, 20 continuous values all fall that close to multiples with
/// probability (4·10⁻⁴)²⁰ ≈ 10⁻⁶⁸.
public enum ScoreResolution {
    /// The candidate resolutions, coarsest first.
    public static let candidates: [Double] = [0.01, 0.001]
    public static let minimumCount = 20

    /// Accumulates one benchmark's responses at a time.
    public struct Accumulator {
        /// Per benchmark: observed count, whether any lies strictly inside (0, 1),
        /// and per candidate whether every value so far was a multiple of it.
        var count: [Int]
        var inside: [Bool]
        var fits: [[Bool]]

        public init(benchmarks: Int) {
            count = [Int](repeating: 0, count: benchmarks)
            inside = [Bool](repeating: false, count: benchmarks)
            fits = [[Bool]](repeating: [Bool](repeating: true, count: candidates.count), count: benchmarks)
        }

        public mutating func add(_ y: Float, benchmark b: Int) {
            guard !y.isNaN else { return }
            count[b] += 1
            let v = Double(y)
            if v > 0 && v < 1 { inside[b] = true }
            for (c, r) in candidates.enumerated() where fits[b][c] {
                let q = v / r
                if abs(q - q.rounded()) > 2e-4 { fits[b][c] = false }
            }
        }

        /// r per benchmark (0: not rounded, or too few values to tell).
        public func resolution() -> [Double] {
            count.indices.map { b in
                guard count[b] >= minimumCount, inside[b], let c = fits[b].firstIndex(of: true) else { return 0 }
                return candidates[c]
            }
        }
    }
}

extension CalibratedItems {
    /// The reporting resolution of each benchmark over an in-memory block of
    /// rows ([rows × items] in the bank's item order, NaN missing).
    public func reportedResolution(responses: [Float]) -> [Double] {
        var acc = ScoreResolution.Accumulator(benchmarks: benchmarkNames.count)
        let n = count
        for (i, y) in responses.enumerated() { acc.add(y, benchmark: benchmarkOfItem[i % n]) }
        return acc.resolution()
    }

    /// The reporting resolution of each benchmark over the fit's rows of its response file.
    public func reportedResolution(responseFile path: String, modelNames: [String]) throws -> [Double] {
        var acc = ScoreResolution.Accumulator(benchmarks: benchmarkNames.count)
        try forEachFitRow(responseFile: path, modelNames: modelNames) { _, row, _ in
            for (j, y) in row.enumerated() { acc.add(y, benchmark: benchmarkOfItem[j]) }
        }
        return acc.resolution()
    }
}
