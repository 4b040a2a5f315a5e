import Foundation
import IRT
import ScalingLaw
import Simulation
import XCTest

/// The law recovers the simulator's θ = β·x + α_family + e (β = 1 per
/// standardised log10 FLOPs, family sd 0.5, residual sd 0.3), and its
/// forecasts cover held-out models at the nominal rate.
final class LawRecoveryTests: XCTestCase {
    func spec(models: Int, items: Int, families: Int, seed: UInt64) -> SimulationSpec {
        var s = SimulationSpec()
        s.models = models; s.items = items; s.benchmarks = 4; s.families = families; s.seed = seed
        return s
    }

    /// On the true abilities the law must find the simulator's numbers
    /// (the realised family effects, not the population sd, are the truth
    /// for σ_a); on the calibrated abilities, which are the true ones up to
    /// an affine map θ̂ ≈ sθ + c, it must find them multiplied by s.
    func testCoefficientsAreRecoveredFromSimulatedData() throws {
        let data = SimulatedMatrix(spec(models: 400, items: 200, families: 20, seed: 7))
        let sim = data.sim
        let names = sim.modelNames
        let onTruth = try AbilityLaw.fit(theta: sim.theta, dims: 1, modelNames: names, covariates: data.covariates,
                                         set: .flops, mode: .random)
        let truthFit = onTruth.dimensions[0]
        XCTAssertEqual(onTruth.skipped, 0)
        XCTAssertEqual(onTruth.families.count, 20)
        XCTAssertLessThan(abs(truthFit.coefficients[1] - 1.0), 3 * truthFit.coefficientSE(1), "slope \(truthFit.coefficients[1]) ± \(truthFit.coefficientSE(1))")
        XCTAssertEqual(truthFit.residualVariance.squareRoot(), 0.3, accuracy: 0.03)
        let realisedFamilySD = sampleSD(sim.familyEffect)
        XCTAssertEqual(truthFit.groupVariance.squareRoot(), realisedFamilySD, accuracy: 0.15 * realisedFamilySD)
        let familyOrder = onTruth.families.map { Int($0.dropFirst("family".count))! }
        XCTAssertGreaterThan(Agreement.pearson(truthFit.groupEffects, familyOrder.map { sim.familyEffect[$0] }), 0.99)

        let calibrated = try data.calibrate(rows: Array(0..<sim.spec.models))
        let law = try AbilityLaw.fit(theta: calibrated.theta, dims: 1, modelNames: names, covariates: data.covariates,
                                     set: .flops, mode: .random)
        let fit = law.dimensions[0]
        let s = try XCTUnwrap(Agreement.regression(calibrated.theta, on: sim.theta, columns: 1))[1]
        XCTAssertGreaterThan(s, 0.5, "the calibrated scale")
        XCTAssertEqual(fit.coefficients[1], s * truthFit.coefficients[1], accuracy: 0.05 * fit.coefficients[1], "slope up to the fit's scale")
        XCTAssertEqual(fit.groupVariance.squareRoot(), s * truthFit.groupVariance.squareRoot(), accuracy: 0.1 * fit.groupVariance.squareRoot())
        XCTAssertGreaterThan(Agreement.pearson(fit.groupEffects, truthFit.groupEffects), 0.97, "family effects")
        // Measurement error of θ̂ can only add to the residual scatter.
        XCTAssertGreaterThan(fit.residualVariance.squareRoot(), 0.95 * s * truthFit.residualVariance.squareRoot())
        XCTAssertLessThan(fit.residualVariance.squareRoot(), 1.3 * s * truthFit.residualVariance.squareRoot())
        // Ratios are scale-free: slope per family sd.
        XCTAssertEqual(fit.coefficients[1] / fit.groupVariance.squareRoot(),
                       truthFit.coefficients[1] / truthFit.groupVariance.squareRoot(), accuracy: 0.12 * fit.coefficients[1] / fit.groupVariance.squareRoot())
        // "per doubling of compute" is the slope over the sd of log10 FLOPs times log10 2.
        let perDoubling = law.summaryLines()[0]
        let expected = String(format: "rises %.3f", fit.coefficients[1] * log10(2.0) / law.transform.scale[0])
        XCTAssertTrue(perDoubling.contains(expected), "\(perDoubling) should contain \(expected)")
    }

    /// Held-out models of families with models in training and of families
    /// never seen: the 90 % benchmark intervals cover their observed scores
    /// at the nominal rate, and a new family's intervals are wider.
    func testForecastIntervalsCoverHeldOutModels() throws {
        try requireFullTier()   // a coverage study: full tier
        let data = SimulatedMatrix(spec(models: 900, items: 120, families: 36, seed: 9))
        let sim = data.sim
        var train: [Int] = [], seenTest: [Int] = [], newTest: [Int] = []
        for m in 0..<sim.spec.models {
            let f = sim.familyOfModel[m]
            if f >= 28 { newTest.append(m) } else if (m / 36) % 3 == 0 { seenTest.append(m) } else { train.append(m) }
        }
        let calibrated = try data.calibrate(rows: train)
        let law = try AbilityLaw.fit(theta: calibrated.theta, dims: 1, modelNames: train.map { sim.modelNames[$0] },
                                     covariates: data.covariates, set: .flops, mode: .random)
        var options = ForecastOptions()
        options.draws = 1500
        let forecaster = try Forecaster(law: law, bank: calibrated.items, options: options)
        let covariates = data.covariates
        func coverage(_ rows: [Int]) -> (rate: Double, width: Double, mae: Double, pairs: Int) {
            var hits = 0, total = 0, width = 0.0, error = 0.0
            for m in rows {
                let c = covariates[m]
                let f = forecaster.forecast(name: c.name, family: c.family, raw: c.raw(.flops)!)
                let observed = data.benchmarkScores(m)
                for (b, bf) in f.benchmarks.enumerated() {
                    total += 1
                    if observed[b] >= bf.lower && observed[b] <= bf.upper { hits += 1 }
                    width += bf.upper - bf.lower
                    error += abs(observed[b] - bf.predicted)
                }
            }
            return (Double(hits) / Double(total), width / Double(total), error / Double(total), total)
        }
        let seen = coverage(seenTest), fresh = coverage(newTest)
        let all = (Double(seenTest.count) * seen.rate + Double(newTest.count) * fresh.rate) / Double(seenTest.count + newTest.count)
        // The four benchmarks of one model share its ability error, so the
        // binomial error is that of the number of models; allow 3 sd.
        let models = Double(seenTest.count + newTest.count)
        XCTAssertEqual(all, 0.9, accuracy: 3 * (0.09 / models).squareRoot() + 0.01, "overall coverage (seen \(seen), new \(fresh))")
        XCTAssertEqual(seen.rate, 0.9, accuracy: 3 * (0.09 / Double(seenTest.count)).squareRoot() + 0.01, "seen families")
        XCTAssertEqual(fresh.rate, 0.9, accuracy: 3 * (0.09 / Double(newTest.count)).squareRoot() + 0.01, "new families")
        XCTAssertGreaterThan(fresh.width, 1.2 * seen.width, "new families get wider intervals")
        XCTAssertLessThan(seen.mae, fresh.mae, "a seen family's effect helps")
    }
}
