import Foundation
import Selection

/// The tables `irsl evaluate-subset` prints: RMSE / MAE in % and decision
/// accuracy per benchmark and method, calibrated scoring and IRT alone.
enum EvaluateSubsetTable {
    static func show(_ rows: [MethodAccuracy], bank: ItemBank, perBenchmark: Int, repeats: Int, budget: Int, listed: Int?) {
        let methods = ["auto", "reconstruction", "discriminating", "fisher", "stratified", "random", "cat"]
        let titles = ["auto-\(perBenchmark)", "reconstruction-\(perBenchmark)", "discriminating-\(perBenchmark)",
                      "fisher-\(perBenchmark)", "stratified-\(perBenchmark)",
                      "random-\(perBenchmark) (×\(repeats))", "cat-\(budget)"]
        for (suffix, what) in [("", "calibrated on the train models"), ("-irt", "IRT reconstruction alone")] {
            print("full-score error on the test models, \(what): RMSE / MAE in %, decision accuracy"
                  + (listed.map { ", listed pairs (\($0))" } ?? "")
                  + " (\(perBenchmark) items per benchmark; CAT: \(budget) items in all)")
            print(SelectionIO.pad("benchmark", 16) + titles.map { SelectionIO.pad($0 + suffix, 28, right: true) }.joined())
            for b in bank.benchmarkNames + ["all"] {
                var line = SelectionIO.pad(b, 16)
                for m in methods {
                    if let r = rows.first(where: { $0.method == m + suffix && $0.benchmark == b }) {
                        var cell = String(format: "%.2f / %.2f  %.3f", 100 * r.rmse, 100 * r.mae, r.decision)
                        if listed != nil { cell += String(format: " %.2f", r.listed) }
                        line += SelectionIO.pad(cell, 28, right: true)
                    } else {
                        line += SelectionIO.pad("-", 28, right: true)
                    }
                }
                print(line)
            }
        }
    }
}
