import Foundation
import IRT
import ScalingLaw
import Simulation
import Store
import XCTest

/// `ScoreResolution`: the resolution at which scores were reported, and the
/// rounding error it adds to a forecast of a reported score.
final class ScoreResolutionTests: XCTestCase {
    /// Two benchmarks of one item each: `first` and `second` are their responses over the rows.
    func detect(_ first: [Float], _ second: [Float]) -> [Double] {
        let bank = CalibratedItems(dims: 1, itemIDs: ["x", "y"], a: [1, 1], d: [0, 0], g: [0, 0], itemBenchmarks: ["b0", "b1"],
                                   phi: [], response: .bernoulli)
        return bank.reportedResolution(responses: zip(first, second).flatMap { [$0, $1] })
    }

    func testDetectsTheReportingResolution() {
        var rng = RandomSource(seed: 5)
        let continuous = (0..<40).map { _ in Float(rng.uniform()) }
        let percent = continuous.map { Float((Double($0) * 100).rounded() / 100) }   // stored as Float32, as files hold them
        let permille = continuous.map { Float((Double($0) * 1000).rounded() / 1000) }
        XCTAssertEqual(detect(percent, continuous), [0.01, 0])
        XCTAssertEqual(detect(permille, percent), [0.001, 0.01])
        // 0/1 responses are exact, not rounded; too few values tell nothing; NaN (missing) is ignored.
        XCTAssertEqual(detect(continuous.map { $0 < 0.5 ? 0 : 1 }, Array(percent.prefix(19)) + [Float](repeating: .nan, count: 21)), [0, 0])
        XCTAssertEqual(detect(Array(percent.prefix(20)) + [Float](repeating: .nan, count: 20), percent), [0.01, 0.01])
        // One value off the grid is enough to rule the grid out.
        var offGrid = percent
        offGrid[17] += 0.003
        XCTAssertEqual(detect(offGrid, percent.map { $0 == 1 ? 0.99 : $0 }), [0.001, 0.01])
        offGrid[17] += 0.0004
        XCTAssertEqual(detect(offGrid, percent), [0, 0.01])
    }

    /// When the forecast's other errors are negligible (an exact law, no
    /// response noise), a published score rounded to 0.01 is covered by the
    /// 90 % interval at the nominal rate only with the rounding in it:
    /// |round(P) − P| ≤ 0.0045 nine times in ten.
    func testRoundingOfAReportedScoreIsCoveredAtTheNominalRate() throws {
        var rng = RandomSource(seed: 21)
        func model(_ i: Int) -> (covariates: ModelCovariates, theta: Double) {
            let logFlops = 20 + 4 * rng.uniform()
            return (ModelCovariates(name: "m\(i)", family: nil, params: .nan, tokens: .nan, flops: pow(10, logFlops)),
                    0.8 * (logFlops - 22) + 1e-3 * rng.normal())
        }
        let train = (0..<200).map(model)
        let law = try AbilityLaw.fit(theta: train.map(\.theta), dims: 1, modelNames: train.map(\.covariates.name),
                                     covariates: train.map(\.covariates), set: .flops, mode: .none)
        let benchmarks = 4
        var bank = CalibratedItems(dims: 1, itemIDs: (0..<benchmarks).map { "i\($0)" }, a: [1.2, 0.9, 1.5, 1.1],
                                   d: [-0.5, 0.3, -1.8, 1.0], g: [0, 0, 0, 0], itemBenchmarks: (0..<benchmarks).map { "b\($0)" },
                                   phi: [Double](repeating: 1e7, count: benchmarks), response: .beta)
        var options = ForecastOptions()
        options.draws = 2000
        func coverage(resolution: [Double]?) throws -> Double {
            bank.resolution = resolution
            let forecaster = try Forecaster(law: law, bank: bank, options: options)
            var hits = 0, total = 0
            var draw = RandomSource(seed: 22)
            for i in 0..<150 {
                let logFlops = 20 + 4 * draw.uniform()
                let c = ModelCovariates(name: "t\(i)", family: nil, params: .nan, tokens: .nan, flops: pow(10, logFlops))
                let theta = 0.8 * (logFlops - 22) + 1e-3 * draw.normal()
                let f = forecaster.forecast(name: c.name, family: nil, raw: c.raw(.flops)!)
                for (b, bf) in f.benchmarks.enumerated() {
                    let reported = (bank.probability(b, theta: [theta]) * 100).rounded() / 100
                    total += 1
                    if reported >= bf.lower && reported <= bf.upper { hits += 1 }
                }
            }
            return Double(hits) / Double(total)
        }
        let with = try coverage(resolution: [Double](repeating: 0.01, count: benchmarks))
        let without = try coverage(resolution: nil)
        print("coverage of scores rounded to 0.01: \(with) with the rounding in the forecast, \(without) without")
        XCTAssertEqual(with, 0.9, accuracy: 3 * (0.09 / 600).squareRoot() + 0.01, "with the rounding")
        XCTAssertLessThan(without, 0.3, "without the rounding the interval is far too narrow for a rounded score")
    }

    /// The law file keeps each benchmark's resolution (and its CSV twin says it), so `irsl forecast` adds the same rounding.
    func testResolutionSurvivesTheLawFile() throws {
        let covariates = (0..<30).map { ModelCovariates(name: "m\($0)", family: nil, flops: pow(10, 20 + 0.1 * Double($0))) }
        var law = try AbilityLaw.fit(theta: (0..<30).map { 0.1 * Double($0) + 0.01 * Double($0 % 3) }, dims: 1,
                                     modelNames: covariates.map(\.name), covariates: covariates, set: .flops, mode: .none)
        law.resolution = [0.01, 0, 0.001]
        law.resolutionBenchmarks = ["b0", "b1", "b2"]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resolution-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".csv") }
        try law.write(to: path)
        let read = try AbilityLaw.read(path)
        XCTAssertEqual(read.resolution, [0.01, 0, 0.001])
        XCTAssertEqual(read.resolutionBenchmarks, ["b0", "b1", "b2"])
        let csv = try String(contentsOfFile: AbilityLaw.csvPath(for: path), encoding: .utf8)
        XCTAssertTrue(csv.contains(",resolution:b0,0.01,") && csv.contains(",resolution:b2,0.001,") && !csv.contains("resolution:b1"), csv)
    }
}
