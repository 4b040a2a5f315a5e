import Foundation
import Store

/// How often estimated scores order models as their full scores do: the
/// decision a leaderboard, a data-mix ablation or a checkpoint choice makes.
///
/// A pair (i, j) counts when both have a finite truth and an estimate and
/// their truths differ; it is decided correctly when the estimates differ
/// in the same direction, and counts one half when the estimates tie.
public enum DecisionAccuracy {
    /// Correct decisions (ties one half) and pairs counted, over all i < j.
    public static func allPairs(estimates: [Double], truth: [Double]) -> (correct: Double, pairs: Int) {
        precondition(estimates.count == truth.count)
        var correct = 0.0, pairs = 0
        for i in truth.indices {
            for j in (i + 1)..<max(truth.count, i + 1) {
                guard let r = decide(estimates[i], estimates[j], truth[i], truth[j]) else { continue }
                correct += r; pairs += 1
            }
        }
        return (correct, pairs)
    }

    /// The same over listed pairs of indices.
    public static func listed(_ list: [(Int, Int)], estimates: [Double], truth: [Double]) -> (correct: Double, pairs: Int) {
        var correct = 0.0, pairs = 0
        for (i, j) in list {
            guard let r = decide(estimates[i], estimates[j], truth[i], truth[j]) else { continue }
            correct += r; pairs += 1
        }
        return (correct, pairs)
    }

    /// 1, ½ or 0 for one pair; nil when it does not count.
    @inlinable
    static func decide(_ ei: Double, _ ej: Double, _ ti: Double, _ tj: Double) -> Double? {
        guard ti.isFinite, tj.isFinite, ei.isFinite, ej.isFinite, ti != tj else { return nil }
        if ei == ej { return 0.5 }
        return (ei - ej > 0) == (ti - tj > 0) ? 1 : 0
    }
}

/// Pairs of models whose order a user wants to decide (two data mixes, two
/// checkpoints): a CSV with columns `model_a,model_b`, resolved against a
/// list of model names (e.g. the test models of a split).
public enum ModelPairs {
    public static func read(_ path: String, modelNames: [String]) throws -> [(Int, Int)] {
        let table = try CSVTable(path: path)
        let a = try table.column("model_a"), b = try table.column("model_b")
        var index: [String: Int] = [:]
        for (i, n) in modelNames.enumerated() where index[n] == nil { index[n] = i }
        var out: [(Int, Int)] = []
        for (line, (x, y)) in zip(a, b).enumerated() {
            for (column, name) in [("model_a", x), ("model_b", y)] where index[name] == nil {
                throw StoreError(file: path, field: column,
                                 message: "line \(line + 2): model '\(name)' is not a test model of the split")
            }
            guard x != y else {
                throw StoreError(file: path, field: "model_b", message: "line \(line + 2): a model paired with itself ('\(x)')")
            }
            out.append((index[x]!, index[y]!))
        }
        guard !out.isEmpty else { throw StoreError(file: path, field: "model_a", message: "expected at least one pair, found none") }
        return out
    }
}
