import Foundation
import Selection

/// The table `irsl evaluate-subset` prints: RMSE / MAE in % per benchmark and method.
enum EvaluateSubsetTable {
    static func show(_ rows: [EvaluationRow], bank: ItemBank, perBenchmark: Int, repeats: Int, budget: Int) {
        let methods = ["fisher", "stratified", "random", "cat"]
        let titles = ["fisher-\(perBenchmark)", "stratified-\(perBenchmark)", "random-\(perBenchmark) (×\(repeats))", "cat-\(budget)"]
        print("full-score error on the test models, RMSE / MAE in % (\(perBenchmark) items per benchmark; CAT: \(budget) items in all)")
        print(SelectionIO.pad("benchmark", 16) + titles.map { SelectionIO.pad($0, 22, right: true) }.joined())
        for b in bank.benchmarkNames + ["all"] {
            var line = SelectionIO.pad(b, 16)
            for m in methods {
                if let r = rows.first(where: { $0.method == m && $0.benchmark == b }) {
                    line += SelectionIO.pad(String(format: "%.2f / %.2f", 100 * r.rmse, 100 * r.mae), 22, right: true)
                } else {
                    line += SelectionIO.pad("-", 22, right: true)
                }
            }
            print(line)
        }
    }
}
