import Foundation
import IRT
import Store
import XCTest

/// The one calibrated-items type, built from a fit and in memory.
final class CalibratedItemsTests: StoreTestCase {
    func fit(response: String = "beta", benchmarks: [String] = ["gsm8k", "mmlu"]) -> FitResult {
        FitResult(modelNames: ["m1", "m2"], theta: [0.5, -1], thetaSE: [0.1, 0.2],
                  itemIDs: ["q1", "q2", "q3"], itemBenchmarks: ["mmlu", "gsm8k", "mmlu"],
                  a: [1, 2, 0.5], d: [0.5, -1, 0], g: [0.25, 0, 0], aSE: [0.2, 0.3, 0.4], dSE: [0.05, 0.06, 0.07],
                  benchmarkNames: benchmarks, phi: [12.5, 30], dims: 1, logLikelihoodHistory: [-1],
                  attributes: FitAttributes(loglik: -1, nParameters: 8, aic: 18, bic: 20, iterations: 1, converged: true,
                                            ranks: 1, seconds: 0.1, model: "2pl", response: response, irslVersion: "t",
                                            command: "t", clampedEntries: 0, nObservations: 6))
    }

    func testFromAFitKeepsItsBenchmarkOrderPhiAndStandardErrors() throws {
        let items = try CalibratedItems(fit: fit(), path: "fit.h5")
        XCTAssertEqual(items.response, .beta)
        XCTAssertEqual(items.benchmarkNames, ["gsm8k", "mmlu"], "the fit's /benchmarks/name order, which φ follows")
        XCTAssertEqual(items.benchmarkOfItem, [1, 0, 1])
        XCTAssertEqual(items.phi, [12.5, 30])
        XCTAssertEqual(items.itemsOfBenchmark, [[1], [0, 2]])
        XCTAssertEqual(items.aSE, [0.2, 0.3, 0.4])
        XCTAssertEqual(items.dSE, [0.05, 0.06, 0.07])
        XCTAssertEqual(items.count, 3)
        XCTAssertNil(items.dispersion)
    }

    func testFitErrorsNameTheFileAndField() {
        assertStoreError(["fit.h5", "@response", "expected beta, bernoulli, binomial or beta-binomial", "\"gauss\""]) {
            try CalibratedItems(fit: fit(response: "gauss"), path: "fit.h5")
        }
        assertStoreError(["fit.h5", "/items/benchmark", "item q2", "gsm8k", "not in /benchmarks/name"]) {
            try CalibratedItems(fit: fit(benchmarks: ["mmlu", "arc"]), path: "fit.h5")
        }
    }

    func testInMemoryItemsDeriveBenchmarksByFirstAppearance() {
        let items = CalibratedItems(dims: 2, itemIDs: ["a", "b", "c"], a: [1, 0, 0, 1, 1, 1], d: [0, 0, 0], g: [0, 0, 0],
                                    itemBenchmarks: ["y", "x", "y"], phi: [], response: .bernoulli)
        XCTAssertEqual(items.benchmarkNames, ["y", "x"])
        XCTAssertEqual(items.benchmarkOfItem, [0, 1, 0])
        XCTAssertEqual(items.phi.count, 2)
        XCTAssertTrue(items.phi.allSatisfy(\.isNaN), "φ of the wrong length is unknown per benchmark")
        XCTAssertTrue(items.aSE.isEmpty)
    }
}
