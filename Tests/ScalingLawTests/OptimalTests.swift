import Foundation
import ScalingLaw
import Store
import Simulation
import XCTest

/// The compute-optimal split against the closed form of the translog law.
final class OptimalTests: XCTestCase {
    /// Abilities made from a translog law with β3 > 0 (an interior optimum);
    /// along log10 P + log10 T = L the fitted law is the quadratic
    /// f(p) = β1 u + β2 v + β3 u v with u = (p − m_P)/s_P, v = (L − p − m_T)/s_T,
    /// whose maximum solves β1/s_P − β2/s_T + β3 (v/s_P − u/s_T) = 0.
    func testInteriorOptimumMatchesTheQuadratic() throws {
        var rng = RandomSource(seed: 17)
        var covariates: [ModelCovariates] = [], theta: [Double] = [], names: [String] = []
        for m in 0..<200 {
            let lp = 8 + 3 * rng.uniform(), lt = 10 + 3 * rng.uniform()
            let u = (lp - 9.5) / 0.9, v = (lt - 11.5) / 0.9
            names.append("m\(m)")
            covariates.append(ModelCovariates(name: "m\(m)", family: "f\(m % 10)", params: pow(10, lp), tokens: pow(10, lt)))
            theta.append(0.6 * u + 0.9 * v + 0.25 * u * v + 0.05 * rng.normal())
        }
        let law = try AbilityLaw.fit(theta: theta, dims: 1, modelNames: names, covariates: covariates,
                                     set: .paramsTokens, mode: .random)
        let budget = 6 * pow(10, 9.5) * pow(10, 11.5)
        let result = try ComputeOptimal.solve(law: law, flops: budget, family: nil, target: "ability") { $0[0] }
        let b = law.dimensions[0].coefficients
        let (mP, mT) = (law.transform.center[0], law.transform.center[1])
        let (sP, sT) = (law.transform.scale[0], law.transform.scale[1])
        let l = log10(budget / 6)
        // Linear in p: β1/sP − β2/sT + β3((L − p − mT)/(sT sP) − (p − mP)/(sP sT)) = 0.
        let p = (b[1] / sP - b[2] / sT + b[3] * (l - mT + mP) / (sP * sT)) / (2 * b[3] / (sP * sT))
        XCTAssertTrue(result.interior)
        XCTAssertEqual(log10(result.params), p, accuracy: 1e-6)
        XCTAssertEqual(result.params * result.tokens * 6, budget, accuracy: 1e-9 * budget)
        XCTAssertEqual(result.value, law.predict(raw: [p, l - p], family: nil).mean[0], accuracy: 1e-9)
    }

    func testFlopsLawHasNoSplit() throws {
        var covariates: [ModelCovariates] = [], theta: [Double] = []
        for m in 0..<20 {
            let x = Double(m)
            covariates.append(ModelCovariates(name: "m\(m)", family: "f", flops: pow(10.0, 20.0 + x / 4)))
            theta.append(x / 10 + 0.01 * Double(m % 3))
        }
        let law = try AbilityLaw.fit(theta: theta, dims: 1,
                                     modelNames: covariates.map(\.name), covariates: covariates, set: .flops, mode: .none)
        XCTAssertThrowsError(try ComputeOptimal.solve(law: law, flops: 1e24, family: nil, target: "ability") { $0[0] }) { error in
            XCTAssertTrue("\(error)".contains("params-tokens"), "\(error)")
        }
    }
}
