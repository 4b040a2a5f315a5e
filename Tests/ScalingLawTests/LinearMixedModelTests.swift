import Foundation
import IRT
import ScalingLaw
import Simulation
import XCTest

/// The law's mixed model against closed forms and repeated sampling.
final class LinearMixedModelTests: XCTestCase {
    /// Balanced one-way layout, intercept only: REML equals the ANOVA
    /// estimator, σ_e² = MSW and σ_a² = (MSB − MSW)/n, and the BLUPs are the
    /// shrunken group means nγ/(1 + nγ)(ȳ_g − ȳ).
    func testBalancedOneWayMatchesANOVA() throws {
        var rng = RandomSource(seed: 11)
        let groups = 9, per = 6
        var y: [Double] = [], group: [Int] = []
        for g in 0..<groups {
            let effect = 0.7 * rng.normal()
            for _ in 0..<per { y.append(2 + effect + 0.4 * rng.normal()); group.append(g) }
        }
        let n = y.count
        let fit = try LinearMixedModel.fit(y: y, x: [Double](repeating: 1, count: n), columns: 1,
                                           group: group, groups: groups, mode: .random)
        let grand = y.reduce(0, +) / Double(n)
        let means = (0..<groups).map { g in (0..<per).map { y[g * per + $0] }.reduce(0, +) / Double(per) }
        var ssw = 0.0, ssb = 0.0
        for i in 0..<n { ssw += (y[i] - means[group[i]]) * (y[i] - means[group[i]]) }
        for m in means { ssb += Double(per) * (m - grand) * (m - grand) }
        let msw = ssw / Double(n - groups), msb = ssb / Double(groups - 1)
        XCTAssertGreaterThan(msb, msw, "the data must have a positive ANOVA estimate for this check")
        let sigmaA2 = (msb - msw) / Double(per)
        XCTAssertEqual(fit.residualVariance, msw, accuracy: 1e-6 * msw)
        XCTAssertEqual(fit.groupVariance, sigmaA2, accuracy: 1e-5 * sigmaA2)
        XCTAssertEqual(fit.coefficients[0], grand, accuracy: 1e-9)
        // Var(ȳ) = (σ_a² + σ_e²/n)/G in a balanced layout.
        XCTAssertEqual(fit.coefficientSE(0), ((sigmaA2 + msw / Double(per)) / Double(groups)).squareRoot(), accuracy: 1e-5)
        let gamma = sigmaA2 / msw
        for g in 0..<groups {
            let blup = Double(per) * gamma / (1 + Double(per) * gamma) * (means[g] - grand)
            XCTAssertEqual(fit.groupEffects[g], blup, accuracy: 1e-5, "BLUP of group \(g)")
        }
    }

    /// Without families the model is ordinary least squares: the
    /// coefficients of IRT's independent regression, σ² = RSS/(n − p) and
    /// Cov(β̂) = σ²(XᵀX)⁻¹.
    func testNoFamiliesIsOrdinaryLeastSquares() throws {
        var rng = RandomSource(seed: 3)
        let n = 40
        let x1 = (0..<n).map { _ in rng.normal() }
        let y = x1.map { 0.5 + 1.5 * $0 + 0.2 * rng.normal() }
        var x: [Double] = []
        for v in x1 { x += [1, v] }
        let fit = try LinearMixedModel.fit(y: y, x: x, columns: 2, group: [Int](repeating: 0, count: n), groups: 1, mode: .none)
        let ols = try XCTUnwrap(Agreement.regression(y, on: x1, columns: 1))
        XCTAssertEqual(fit.coefficients[0], ols[0], accuracy: 1e-10)
        XCTAssertEqual(fit.coefficients[1], ols[1], accuracy: 1e-10)
        let rss = (0..<n).map { y[$0] - ols[0] - ols[1] * x1[$0] }.map { $0 * $0 }.reduce(0, +)
        XCTAssertEqual(fit.residualVariance, rss / Double(n - 2), accuracy: 1e-12)
        let mx = x1.reduce(0, +) / Double(n), sxx = x1.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        XCTAssertEqual(fit.coefficientSE(1), (rss / Double(n - 2) / sxx).squareRoot(), accuracy: 1e-10)
        XCTAssertEqual(fit.groupVariance, 0)
    }

    /// Fixed family intercepts give the within-family slope,
    /// Σ(x − x̄_g)(y − ȳ_g) / Σ(x − x̄_g)², and intercepts that are the
    /// family means minus the slope times the family's mean covariate.
    func testFixedFamiliesGiveTheWithinSlope() throws {
        var rng = RandomSource(seed: 5)
        var y: [Double] = [], x: [Double] = [], x1: [Double] = [], group: [Int] = []
        for g in 0..<6 {
            let effect = rng.normal()
            for _ in 0..<5 {
                let v = rng.normal() + Double(g) * 0.3
                x1.append(v); x += [1, v]; group.append(g)
                y.append(effect + 0.8 * v + 0.3 * rng.normal())
            }
        }
        let fit = try LinearMixedModel.fit(y: y, x: x, columns: 2, group: group, groups: 6, mode: .fixed)
        var sxy = 0.0, sxx = 0.0
        var mx = [Double](repeating: 0, count: 6), my = mx
        for i in y.indices { mx[group[i]] += x1[i] / 5; my[group[i]] += y[i] / 5 }
        for i in y.indices { sxy += (x1[i] - mx[group[i]]) * (y[i] - my[group[i]]); sxx += (x1[i] - mx[group[i]]) * (x1[i] - mx[group[i]]) }
        let slope = sxy / sxx
        XCTAssertEqual(fit.coefficients[1], slope, accuracy: 1e-9)
        for g in 0..<6 {
            let prediction = fit.prediction(x: [1, mx[g]], group: g).mean
            XCTAssertEqual(prediction, my[g], accuracy: 1e-9, "a fixed family's line passes through its means")
        }
        XCTAssertEqual(fit.groupEffects.reduce(0, +), 0, accuracy: 1e-9, "effects are deviations from their mean")
    }

    /// Repeated sampling from the model itself: the plug-in 90 % prediction
    /// interval of a new model covers it 90 % of the time, for a family with
    /// models in the fit and for a family never seen; the second is wider.
    func testPredictionIntervalsCoverAtTheNominalRate() throws {
        var rng = RandomSource(seed: 2024)
        let z = normalQuantile(0.95)
        var seenHits = 0, newHits = 0, seenWidth = 0.0, newWidth = 0.0
        let reps = 400
        for _ in 0..<reps {
            let groups = 25
            let effects = (0..<groups + 1).map { _ in 0.5 * rng.normal() }
            var y: [Double] = [], x: [Double] = [], group: [Int] = []
            for g in 0..<groups {
                for _ in 0..<(2 + g % 6) {
                    let v = rng.normal()
                    x += [1, v]; group.append(g)
                    y.append(0.2 + 1.0 * v + effects[g] + 0.3 * rng.normal())
                }
            }
            let fit = try LinearMixedModel.fit(y: y, x: x, columns: 2, group: group, groups: groups, mode: .random)
            let v = rng.normal()
            let seen = fit.prediction(x: [1, v], group: 3)
            let seenTruth = 0.2 + v + effects[3] + 0.3 * rng.normal()
            let seenSD = (seen.estimationVariance + fit.residualVariance).squareRoot()
            if abs(seenTruth - seen.mean) <= z * seenSD { seenHits += 1 }
            seenWidth += 2 * z * seenSD
            let fresh = fit.prediction(x: [1, v], group: nil)
            let newTruth = 0.2 + v + effects[groups] + 0.3 * rng.normal()
            let newSD = (fresh.estimationVariance + fresh.groupVariance + fit.residualVariance).squareRoot()
            if abs(newTruth - fresh.mean) <= z * newSD { newHits += 1 }
            newWidth += 2 * z * newSD
        }
        // 400 independent trials: binomial sd of a 90 % rate is 0.015; allow 3 sd.
        let tolerance = 3 * (0.9 * 0.1 / Double(reps)).squareRoot()
        XCTAssertEqual(Double(seenHits) / Double(reps), 0.9, accuracy: tolerance, "seen family")
        XCTAssertEqual(Double(newHits) / Double(reps), 0.9, accuracy: tolerance, "new family")
        XCTAssertGreaterThan(newWidth, seenWidth * 1.2, "a new family's interval carries the family spread")
    }

    func testTooFewModelsIsAnError() {
        XCTAssertThrowsError(try LinearMixedModel.fit(y: [1, 2], x: [1, 0, 1, 1], columns: 2, group: [0, 0], groups: 1, mode: .random)) { error in
            XCTAssertTrue("\(error)".contains("needs more than 2 models"), "\(error)")
        }
    }
}
