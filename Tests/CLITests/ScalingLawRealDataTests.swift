import Foundation
import Store
import XCTest

/// The published protocols on the Open LLM Leaderboard table
/// (`../shared/data/open-llm-leaderboard/data_v2.csv`, 188 models), with the
/// table's `Family2` column as the family (instruct variants are families of
/// their own), run with `irsl backtest`'s defaults: the law next to its
/// baselines in the same run. docs/scaling-law.md has the tables.
final class ScalingLawRealDataTests: ScalingLawCLITestCase {
    static let v2 = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]
    static let v1 = ["MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K"]
    /// The test models of the latent-scaling-law protocol
    /// (felipemaiapolo/statistical-scaling-law, `constants.py`, `test_models`):
    /// the largest base and instruct model of six families.
    static let largestTestModels: Set = ["meta-llama-3-70b", "meta-llama-3-70b-instruct", "qwen2-72b", "qwen2-72b-instruct",
                                         "yi-1.5-34b", "yi-1.5-34b-chat", "olmo-7b", "smollm-1.7b", "smollm-1.7b-instruct",
                                         "gemma-2-9b", "gemma-2-9b-it"]
    /// Their families in `Family2`.
    static let largestTestFamilies = ["meta-llama-3", "meta-llama-3-instruct", "qwen2", "qwen2-instruct", "yi-1.5", "yi-1.5-chat",
                                      "olmo", "smollm", "smollm-instruct", "gemma-2", "gemma-2-it"]
    /// Sloth's leave-family-out folds on the v2 benchmarks
    /// (felipemaiapolo/sloth, `sloth/definitions.py`, one training model per family).
    static let slothFolds = ["bloom", "pythia+dolly-v2", "falcon+falcon-instruct", "gemma-2+gemma-2-it", "gpt-j-neo-neox",
                             "meta-llama-3+meta-llama-3-instruct+llama-3-sauerkrautlm-instruct", "olmo", "opt",
                             "qwen2+qwen2-instruct+dolphin-2.9.2-qwen2", "starcoder2", "smollm+smollm-instruct",
                             "yi-1.5+yi-1.5-chat+dolphin-2.9.1-yi-1.5"]

    var dataDirectory: URL {
        Launcher.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/open-llm-leaderboard")
    }

    /// `irsl ingest table` → a response file of `benchmarks`, one item each.
    func ingest(_ benchmarks: [String], name: String) throws -> String {
        let csv = dataDirectory.appendingPathComponent("data_v2.csv").path
        guard FileManager.default.fileExists(atPath: csv) else { throw XCTSkip("no leaderboard data at \(csv)") }
        let out = path(name)
        try irsl(["ingest", "table", csv, "--output", out, "--model-column", "Model", "--family-column", "Family2",
                  "--params-column", "#Params (B)", "--tokens-column", "Pretraining Data Size (T)",
                  "--flops-column", "FLOPs (1E21)", "--floors", dataDirectory.appendingPathComponent("lower_bounds.csv").path,
                  "--items", benchmarks.joined(separator: ",")])
        return out
    }

    func backtest(_ data: String, _ options: [String]) throws -> (CSVRows, String) {
        let out = path("forecasts-\(UUID().uuidString).csv")
        let r = try irsl(["backtest", data, "--output", out] + options)
        print(r.stdout)
        return (try CSVRows(path: out), r.stdout)
    }

    /// Protocol A: the named protocol reproduces the published test models,
    /// and the default law beats both baselines with 85–95 % coverage.
    func testLargestModelHeldOut() throws {
        let data = try ingest(Self.v2 + Self.v1, name: "lb12.h5")
        let (csv, stdout) = try backtest(data, ["--protocol", "largest-per-family", "--test-families", Self.largestTestFamilies.joined(separator: ",")])
        XCTAssertEqual(Set(csv.strings("model")), Self.largestTestModels)
        XCTAssertTrue(stdout.contains("by nested cross-validation"), stdout)
        let (law, flops, family) = MethodAccuracy.all(csv)
        XCTAssertLessThan(law.mae, min(flops.mae, family.mae), "protocol A: law \(law.mae), FLOPs only \(flops.mae), family + FLOPs \(family.mae)")
        XCTAssertTrue((0.85...0.95).contains(law.coverage), "protocol A: 90% interval coverage \(law.coverage)")
    }

    /// Protocol B: Sloth's folds reproduced (12 folds, 37 test models); the
    /// default law beats FLOPs only and matches family + FLOPs in the mean of
    /// per-fold MAE (docs/scaling-law.md: 0.0345 vs 0.0346), with 85–95 %
    /// coverage (0.860: the v2 table's scores are rounded to 0.01, and the
    /// rounding is in the intervals).
    func testLeaveFamilyOut() throws {
        let data = try ingest(Self.v2, name: "lbv2.h5")
        let (csv, stdout) = try backtest(data, ["--protocol", "leave-family-out", "--test-families", Self.slothFolds.joined(separator: ",")])
        XCTAssertTrue(stdout.contains("leave-family-out: 12 fold(s), 37 test models"), stdout)
        XCTAssertEqual(Set(csv.strings("fold")), Set(Self.slothFolds))
        let foldOf = csv.strings("fold")
        var perFold = (law: 0.0, flops: 0.0, family: 0.0)
        for f in Self.slothFolds {
            let a = MethodAccuracy.all(csv, rows: foldOf.indices.filter { foldOf[$0] == f })
            perFold.law += a.law.mae / 12; perFold.flops += a.flops.mae / 12; perFold.family += a.family.mae / 12
        }
        XCTAssertLessThan(perFold.law, perFold.flops, "protocol B: law \(perFold.law), FLOPs only \(perFold.flops)")
        XCTAssertLessThan(perFold.law, perFold.family * 1.02, "protocol B: law \(perFold.law), family + FLOPs \(perFold.family)")
        let coverage = MethodAccuracy.all(csv).law.coverage
        XCTAssertTrue((0.85...0.95).contains(coverage), "protocol B: 90% interval coverage \(coverage)")
    }

    /// Across benchmarks: hide GSM8K and MATH for the largest models; their
    /// abilities from the other ten benchmarks forecast the hidden two better
    /// than a regression on those ten scores and than family + FLOPs.
    func testForecastAcrossBenchmarks() throws {
        let data = try ingest(Self.v2 + Self.v1, name: "lb12h.h5")
        let (csv, _) = try backtest(data, ["--protocol", "largest-per-family", "--test-families", Self.largestTestFamilies.joined(separator: ","),
                                           "--holdout-benchmarks", "GSM8K,MATH Lvl 5", "--dims", "2"])
        XCTAssertEqual(Set(csv.strings("benchmark")), ["GSM8K", "MATH Lvl 5"])
        let (law, _, family) = MethodAccuracy.all(csv)
        let regression = MethodAccuracy(csv, prefix: "regression")
        XCTAssertLessThan(law.mae, min(regression.mae, family.mae), "hidden benchmarks: law \(law.mae), regression \(regression.mae), family + FLOPs \(family.mae)")
    }
}
