import Calibration
import MessagePassing
import Foundation
import IRT
import Selection
import Simulation
import XCTest

/// Broken items planted in simulated data are flagged, good items are not.
final class ItemDiagnosticsTests: XCTestCase {
    struct Planted {
        var reversed: [Int] = []
        var noise: [Int] = []
        var everybody: [Int] = []
        var nobody: [Int] = []
        var noisy: [Int] = []
        var all: Set<Int> { Set(reversed + noise + everybody + nobody + noisy) }
    }

    /// Plants the broken items, fits in-process, diagnoses with the fit's
    /// abilities and standard errors.
    func diagnose(_ response: ResponseModel, seed: UInt64) throws -> (ItemBank, [ItemDiagnostic], Planted) {
        var data = SimulatedData(models: 600, items: 450, benchmarks: 3, response: response, seed: seed)
        let n = data.items, m = data.models
        var planted = Planted()
        planted.reversed = [10, 160, 320]
        planted.noise = [20, 170]
        planted.everybody = [30, 330]
        planted.nobody = [40, 340]
        if response == .beta { planted.noisy = [50, 200] }
        var rng = RandomSource(seed: seed, stream: 99)
        for r in 0..<m {
            for j in planted.reversed { data.responses[r * n + j] = 1 - data.responses[r * n + j] }
            for j in planted.noise { data.responses[r * n + j] = Float(response == .beta ? rng.uniform() : (rng.uniform() < 0.5 ? 1 : 0)) }
            for j in planted.everybody { data.responses[r * n + j] = 1 }
            for j in planted.nobody { data.responses[r * n + j] = 0 }
            for j in planted.noisy {      // right mean, far too much spread: Beta with precision 1.5 instead of ~20
                let p = data.sim.probability(row: r, item: j)
                data.responses[r * n + j] = Float(rng.beta(max(p * 1.5, 1e-3), max((1 - p) * 1.5, 1e-3)))
            }
        }
        var options = FitOptions()
        options.response = response
        let fitted = try calibrate(CalibrationData(matrix: data.responses, trials: nil, rows: m, itemIDs: data.sim.itemIDs,
                                                   itemBenchmarks: data.sim.itemBenchmarks, floors: nil, response: response, path: "memory"),
                                   options: options)
        let se = fitted.calibrator.standardErrors()
        let bank = try ItemBank(calibration: fitted)
        let theta = fitted.theta
        var accumulator = MisfitAccumulator(bank: bank)
        for r in 0..<m {
            accumulator.add(responses: data.responses[(r * n)..<((r + 1) * n)], trials: nil, theta: theta[r])
        }
        return (bank, ItemDiagnostics.diagnose(bank: bank, aSE: se.aSE, dSE: se.dSE, fit: accumulator.statistics()), planted)
    }

    func check(_ response: ResponseModel) throws {
        let (bank, diagnostics, planted) = try diagnose(response, seed: 23)
        func flags(_ j: Int) -> Set<ItemFlag> { Set(diagnostics[j].flags) }
        for j in planted.reversed { XCTAssertTrue(flags(j).contains(.negativeDiscrimination), "\(response) reversed item \(j): \(flags(j)), a = \(bank.a[j])") }
        for j in planted.noise {
            XCTAssertTrue(flags(j).contains(.lowDiscrimination), "\(response) noise item \(j): \(flags(j)), a = \(bank.a[j])")
            if response == .beta { XCTAssertTrue(flags(j).contains(.misfit), "uniform noise item \(j) fits a Beta item: \(String(describing: diagnostics[j].fit))") }
        }
        for j in planted.everybody { XCTAssertTrue(flags(j).contains(.everybodySolves), "\(response) item \(j): \(flags(j))") }
        for j in planted.nobody { XCTAssertTrue(flags(j).contains(.nobodySolves), "\(response) item \(j): \(flags(j))") }
        for j in planted.noisy {
            XCTAssertTrue(flags(j).contains(.misfit), "\(response) noisy item \(j): \(String(describing: diagnostics[j].fit))")
            XCTAssertGreaterThan(bank.a[j], 0.2, "the noisy item still measures the ability")
        }
        // Items the simulation itself made (nearly) always or never solved are
        // rightly flagged as such; every other unplanted item must be clean.
        let simulated = try SimulatedData(models: 600, items: 450, benchmarks: 3, response: response, seed: 23).trueBank()
        let extreme = Set((0..<bank.count).filter { j in
            let mean = simulated.populationTheta.reduce(0) { $0 + simulated.probability(j, $1) } / Double(simulated.populationTheta.count)
            return mean < 0.03 || mean > 0.97
        })
        for j in extreme where !planted.all.contains(j) {
            XCTAssertTrue(diagnostics[j].flags.allSatisfy { [.everybodySolves, .nobodySolves, .largeSE].contains($0) }, "\(bank.ids[j]): \(diagnostics[j].flags)")
        }
        let falseAlarms = diagnostics.filter { !planted.all.contains($0.item) && !extreme.contains($0.item) && !$0.flags.isEmpty }
        // Beta: outfit (mean z², outlier-sensitive) of a very discriminating item depends on its
        // fitted tails, which the censored likelihood resolves only to ε: one false alarm in ~440
        // good items is tolerated there (docs/selection.md); none for Bernoulli.
        XCTAssertLessThanOrEqual(falseAlarms.count, response == .beta ? 1 : 0, "\(response) good items flagged: " + falseAlarms.prefix(5).map {
            "\(bank.ids[$0.item]) \($0.flags) a=\(bank.a[$0.item]) infit=\($0.fit?.infit ?? .nan) outfit=\($0.fit?.outfit ?? .nan) z=\($0.fit?.outfitZ ?? .nan) aSE=\($0.aSE)"
        }.joined(separator: "; "))
        // Good items' mean squares sit near their expected value 1.
        let good = diagnostics.filter { !planted.all.contains($0.item) }
        let outfit = good.compactMap { $0.fit?.outfit }.reduce(0, +) / Double(good.count)
        XCTAssertEqual(outfit, 1, accuracy: 0.1, "\(response) mean outfit of good items")
        let summary = ItemDiagnostics.summarise(diagnostics, bank: bank)
        XCTAssertEqual(summary.reduce(0) { $0 + $1.flagged }, diagnostics.filter { !$0.flags.isEmpty }.count)
        XCTAssertEqual(summary.reduce(0) { $0 + $1.counts[.negativeDiscrimination, default: 0] },
                       diagnostics.filter { $0.flags.contains(.negativeDiscrimination) }.count)
        XCTAssertEqual(summary.map(\.items), [150, 150, 150])
    }

    func testPlantedBrokenBernoulliItemsAreFlagged() throws { try check(.bernoulli) }
    /// The Beta fit of this matrix takes ~30 s (the Bernoulli one 0.05 s): full tier,
    /// which `make test` runs with IRSL_FULL=1 (see Tests/CalibrationTests/FullTier.swift).
    func testPlantedBrokenBetaItemsAreFlagged() throws {
        if ProcessInfo.processInfo.environment["IRSL_FULL"] != "1" { throw XCTSkip("full tier: set IRSL_FULL=1 or run make test") }
        try check(.beta)
    }

    /// Without responses the flags come from the parameters alone.
    func testParameterOnlyDiagnosis() throws {
        let (bank, _, planted) = try diagnose(.bernoulli, seed: 5)
        let aSE = [Double](repeating: 0.05, count: bank.count)
        var dSE = aSE
        dSE[7] = .nan; dSE[8] = 0.9
        let diagnostics = ItemDiagnostics.diagnose(bank: bank, aSE: aSE, dSE: dSE, fit: nil)
        for j in planted.reversed { XCTAssertTrue(diagnostics[j].flags.contains(.negativeDiscrimination)) }
        for j in planted.everybody { XCTAssertTrue(diagnostics[j].flags.contains(.everybodySolves), "\(diagnostics[j].flags) mean \(diagnostics[j].meanResponse)") }
        XCTAssertTrue(diagnostics[7].flags.contains(.largeSE))
        XCTAssertTrue(diagnostics[8].flags.contains(.largeSE))
        XCTAssertFalse(diagnostics.contains { $0.flags.contains(.misfit) }, "no misfit without responses")
    }
}
