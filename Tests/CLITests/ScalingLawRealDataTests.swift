import Foundation
import Store
import XCTest

/// The two published protocols on the Open LLM Leaderboard table
/// (`../shared/data/open-llm-leaderboard/data_v2.csv`, 188 models, 35
/// families), the law next to its two baselines in the same run.
///
/// Items are the 12 leaderboard benchmarks (v1: MMLU, ARC, HellaSwag,
/// Winogrande, TruthfulQA, GSM8K; v2: IFEval, BBH, MATH Lvl 5, GPQA, MUSR,
/// MMLU-PRO), each its own benchmark, with the chance levels of
/// `lower_bounds.csv` as floors. The calibration is K = 2 with the
/// Bernoulli pseudo-likelihood and its Pearson dispersion (quasi-binomial):
/// the scores are accuracies over many questions, and exact zeros (MATH,
/// GSM8K) would otherwise be clamped to 1e-4 and dominate a Beta fit.
/// docs/scaling-law.md has the tables and the configuration search behind
/// this choice.
final class ScalingLawRealDataTests: ScalingLawCLITestCase {
    static let benchmarks = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO",
                             "MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"]

    var dataDirectory: URL {
        Launcher.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/open-llm-leaderboard")
    }

    /// `irsl ingest table` → the response file of the 12 benchmarks.
    func ingest() throws -> String {
        let csv = dataDirectory.appendingPathComponent("data_v2.csv").path
        guard FileManager.default.fileExists(atPath: csv) else { throw XCTSkip("no leaderboard data at \(csv)") }
        let out = path("leaderboard.h5")
        try irsl(["ingest", "table", csv, "--output", out, "--model-column", "Model", "--family-column", "Family",
                  "--params-column", "#Params (B)", "--tokens-column", "Pretraining Data Size (T)",
                  "--flops-column", "FLOPs (1E21)", "--floors", dataDirectory.appendingPathComponent("lower_bounds.csv").path,
                  "--items", Self.benchmarks.joined(separator: ",")])
        return out
    }

    /// Models with parameters and FLOPs, grouped by family in file order.
    func families(_ info: ResponseFileInfo) -> [(name: String, models: [Int])] {
        var order: [String] = [], members: [String: [Int]] = [:]
        for m in 0..<info.models {
            guard let p = info.params?[m], let c = info.flops?[m], p.isFinite, c.isFinite, let f = info.families?[m] else { continue }
            if members[f] == nil { order.append(f); members[f] = [] }
            members[f]!.append(m)
        }
        return order.map { ($0, members[$0]!) }
    }

    func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    func backtest(_ data: String, split: String) throws -> (CSVRows, String) {
        let out = path("forecasts-\(UUID().uuidString).csv")
        let r = try irsl(["backtest", data, "--split", split, "--dims", "2", "--response", "bernoulli", "--output", out])
        print(r.stdout)
        return (try CSVRows(path: out), r.stdout)
    }

    /// Protocol A: hold out the largest model (all models tied at the
    /// largest parameter count, so a same-size sibling cannot leak it) of
    /// every family with at least 3 models with covariates; train on the rest.
    func testProtocolLargestModelHeldOut() throws {
        let data = try ingest()
        let info = try ResponseFileInfo.read(data)
        var test = Set<Int>()
        for (_, models) in families(info) where models.count >= 3 {
            let largest = models.map { info.params![$0] }.max()!
            test.formUnion(models.filter { info.params![$0] == largest })
        }
        var split = "model,role\n"
        for (m, name) in info.modelNames.enumerated() { split += "\(quoted(name)),\(test.contains(m) ? "test" : "train")\n" }
        let (csv, _) = try backtest(data, split: try write("split-a.csv", split))
        let (law, flops, family) = MethodAccuracy.all(csv)
        XCTAssertEqual(Set(csv.strings("model")).count, test.count)
        XCTAssertLessThan(law.mae, min(flops.mae, family.mae), "protocol A: law \(law.mae), FLOPs only \(flops.mae), family + FLOPs \(family.mae)")
        XCTAssertTrue((0.85...0.95).contains(law.coverage), "protocol A: 90% interval coverage \(law.coverage)")
    }

    /// Protocol B: leave one family out, keeping its smallest model in
    /// training (one fold per family with at least 2 models); the MAE is
    /// averaged over the folds (families), and pooled over all forecasts.
    func testProtocolLeaveFamilyOut() throws {
        let data = try ingest()
        let info = try ResponseFileInfo.read(data)
        var split = "model,role,fold\n", folds = 0
        for (name, models) in families(info) where models.count >= 2 {
            let smallest = models.min { (info.params![$0], info.flops![$0], $0) < (info.params![$1], info.flops![$1], $1) }!
            folds += 1
            for m in 0..<info.models {
                let role = info.families?[m] != name || m == smallest ? "train" : "test"
                split += "\(quoted(info.modelNames[m])),\(role),\(quoted(name))\n"
            }
        }
        let (csv, stdout) = try backtest(data, split: try write("split-b.csv", split))
        XCTAssertTrue(stdout.contains("mean of per-fold MAE over \(folds) folds"), stdout)
        let pooled = MethodAccuracy.all(csv)
        XCTAssertLessThan(pooled.law.mae, min(pooled.flops.mae, pooled.family.mae),
                          "protocol B pooled: law \(pooled.law.mae), FLOPs only \(pooled.flops.mae), family + FLOPs \(pooled.family.mae)")
        XCTAssertTrue((0.85...0.95).contains(pooled.law.coverage), "protocol B: 90% interval coverage \(pooled.law.coverage)")
        let foldOf = csv.strings("fold")
        var perFold = (law: 0.0, flops: 0.0, family: 0.0)
        let names = Set(foldOf)
        for f in names {
            let a = MethodAccuracy.all(csv, rows: foldOf.indices.filter { foldOf[$0] == f })
            perFold.law += a.law.mae / Double(names.count)
            perFold.flops += a.flops.mae / Double(names.count)
            perFold.family += a.family.mae / Double(names.count)
        }
        XCTAssertLessThan(perFold.law, min(perFold.flops, perFold.family),
                          "protocol B, mean over \(names.count) families: law \(perFold.law), FLOPs only \(perFold.flops), family + FLOPs \(perFold.family)")
    }
}
