import Foundation
import ScalingLaw
import Simulation
import Store
import XCTest

/// `FamilySlopes`: the spread of the families' own slopes on compute, by
/// the method of moments, and the variance it adds with the distance from
/// a family's models.
final class FamilySlopesTests: XCTestCase {
    /// θ = 0.8 z + α_f + b_f (z − z̄_f) + e with sd(b_f) = `slopeSD`, 40 families of 6 models.
    func law(slopeSD: Double, seed: UInt64) throws -> AbilityLaw {
        var rng = RandomSource(seed: seed)
        var theta: [Double] = [], names: [String] = [], covariates: [ModelCovariates] = []
        for f in 0..<40 {
            let alpha = 0.5 * rng.normal(), slope = slopeSD * rng.normal(), centre = 21 + 2 * rng.uniform()
            for i in 0..<6 {
                let logC = centre + Double(i) * 0.5 - 1.25
                let name = "f\(f)-m\(i)"
                names.append(name)
                covariates.append(ModelCovariates(name: name, family: "f\(f)", flops: pow(10, logC)))
                theta.append(0.8 * (logC - 22) + alpha + slope * (logC - centre) + 0.1 * rng.normal())
            }
        }
        return try AbilityLaw.fit(theta: theta, dims: 1, modelNames: names, covariates: covariates, set: .flops, mode: .random)
    }

    func testSlopeSpreadIsRecovered() throws {
        let fitted = try law(slopeSD: 0.4, seed: 1)
        let slopes = try XCTUnwrap(fitted.familySlopes)
        // The simulated slope is per decade of FLOPs; the law's x₁ is standardised log10 FLOPs.
        let perDecade = slopes.variance[0].squareRoot() / fitted.transform.scale[0]
        XCTAssertEqual(perDecade, 0.4, accuracy: 0.12)
        let flat = try XCTUnwrap(try law(slopeSD: 0, seed: 2).familySlopes)
        XCTAssertLessThan(flat.variance[0].squareRoot() / fitted.transform.scale[0], 0.08)
    }

    /// The slope variance widens a seen family's forecast with the distance
    /// from its models' centre, and a law read back from its file has the same.
    func testVarianceGrowsWithDistanceAndSurvivesTheFile() throws {
        let fitted = try law(slopeSD: 0.4, seed: 3)
        let near = fitted.predict(raw: [fitted.transform.center[0]], family: "f0")
        let far = fitted.predict(raw: [fitted.transform.center[0] + 3], family: "f0")
        XCTAssertGreaterThan(far.familyVariance[0], near.familyVariance[0] + 0.1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slopes-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".csv") }
        try fitted.write(to: path)
        let read = try AbilityLaw.read(path)
        XCTAssertEqual(read.familySlopes!.variance[0], fitted.familySlopes!.variance[0], accuracy: 1e-9)
        XCTAssertEqual(read.predict(raw: [fitted.transform.center[0] + 3], family: "f0").familyVariance[0], far.familyVariance[0], accuracy: 1e-9)
    }

    /// Coverage by simulation: each family's next, larger model (one and a
    /// half steps past its largest, where its own slope has moved it off the
    /// common line) is covered by the 90 % ability interval at the nominal
    /// rate with the slope variance in it, and too rarely without.
    func testIntervalsCoverAFamilysNextModelOnlyWithTheSlopeSpread() throws {
        let z = 1.6448536269514722
        var with = 0, without = 0, total = 0
        for rep in 0..<25 {
            var rng = RandomSource(seed: 100 + UInt64(rep))
            var theta: [Double] = [], names: [String] = [], covariates: [ModelCovariates] = []
            var next: [(family: String, logC: Double, theta: Double)] = []
            for f in 0..<40 {
                let alpha = 0.5 * rng.normal(), slope = 0.4 * rng.normal(), centre = 21 + 2 * rng.uniform()
                func ability(_ logC: Double) -> Double { 0.8 * (logC - 22) + alpha + slope * (logC - centre) + 0.1 * rng.normal() }
                for i in 0..<6 {
                    let logC = centre + Double(i) * 0.5 - 1.25
                    names.append("f\(f)-m\(i)")
                    covariates.append(ModelCovariates(name: names.last!, family: "f\(f)", flops: pow(10, logC)))
                    theta.append(ability(logC))
                }
                let logC = centre + 2
                next.append(("f\(f)", logC, ability(logC)))
            }
            var law = try AbilityLaw.fit(theta: theta, dims: 1, modelNames: names, covariates: covariates, set: .flops, mode: .random)
            for n in next {
                let p = law.predict(raw: [n.logC], family: n.family)
                if abs(n.theta - p.mean[0]) <= z * p.totalVariance[0].squareRoot() { with += 1 }
                total += 1
            }
            law.familySlopes = nil
            for n in next {
                let p = law.predict(raw: [n.logC], family: n.family)
                if abs(n.theta - p.mean[0]) <= z * p.totalVariance[0].squareRoot() { without += 1 }
            }
        }
        let rateWith = Double(with) / Double(total), rateWithout = Double(without) / Double(total)
        print("coverage of a family's next model: \(rateWith) with the slope spread, \(rateWithout) without")
        // 25 laws × 40 families; the law's own error is shared within a law: allow 3 sd over 25 × 40 plus 0.02.
        XCTAssertEqual(rateWith, 0.9, accuracy: 3 * (0.09 / Double(total)).squareRoot() + 0.02)
        XCTAssertLessThan(rateWithout, rateWith - 0.1)
    }
}
