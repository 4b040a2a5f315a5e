import Foundation
import IRT
import ScalingLaw
import Simulation
import Store
import XCTest

/// `BenchmarkOffsets`: family × benchmark offsets recovered by REML from
/// simulated shifts, the shift that reproduces a score, and the coverage
/// of the offset's predictive interval for a seen and a new family.
final class BenchmarkOffsetsTests: XCTestCase {
    /// Shifts s_mb = μ_b + δ_fb + ε_mb with τ = 0.5, σ = 0.3.
    struct Simulated {
        var shifts: [Double] = [], families: [String] = [], truth: [Double] = []
        let benchmarks = 6, familyCount: Int
        init(familyCount: Int, modelsPerFamily: (Int) -> Int, rng: inout RandomSource) {
            self.familyCount = familyCount
            truth = (0..<(familyCount * benchmarks)).map { _ in 0.5 * rng.normal() }
            for f in 0..<familyCount {
                for _ in 0..<modelsPerFamily(f) {
                    families.append("f\(f)")
                    for b in 0..<benchmarks { shifts.append(0.1 * Double(b) + truth[f * benchmarks + b] + 0.3 * rng.normal()) }
                }
            }
        }
    }

    func testREMLRecoversTheSpreadsAndTheOffsets() throws {
        var rng = RandomSource(seed: 7)
        let sim = Simulated(familyCount: 60, modelsPerFamily: { 1 + $0 % 5 }, rng: &rng)
        let names = (0..<6).map { "b\($0)" }
        let fit = try BenchmarkOffsets.fit(shifts: sim.shifts, modelFamilies: sim.families, benchmarks: names)
        for b in 0..<6 {
            XCTAssertEqual(fit.familyVariance[b].squareRoot(), 0.5, accuracy: 0.15, "τ of benchmark \(b)")
            XCTAssertEqual(fit.residualVariance[b].squareRoot(), 0.3, accuracy: 0.06, "σ of benchmark \(b)")
            XCTAssertEqual(fit.intercept[b], 0.1 * Double(b), accuracy: 0.25)
        }
        // BLUPs track the true offsets; a one-model family is shrunk toward μ by τ²/(τ² + σ²).
        var estimated: [Double] = [], truth: [Double] = []
        for f in 0..<60 {
            for b in 0..<6 {
                estimated.append(fit.offset(family: "f\(f)", benchmark: b).mean - fit.intercept[b])
                truth.append(sim.truth[f * 6 + b])
            }
        }
        XCTAssertGreaterThan(Self.correlation(estimated, truth), 0.85)
        let single = 0 // family f0 has one model
        let b = 2
        let raw = sim.shifts[b] - fit.intercept[b]
        let shrink = fit.familyVariance[b] / (fit.familyVariance[b] + fit.residualVariance[b])
        XCTAssertEqual(fit.offset(family: "f\(single)", benchmark: b).mean - fit.intercept[b], shrink * raw, accuracy: 0.02 * max(abs(raw), 0.1))
        // A family never seen: no offset, and the spread as its variance.
        let fresh = fit.offset(family: "unseen", benchmark: b)
        XCTAssertEqual(fresh.mean, fit.intercept[b])
        XCTAssertEqual(fresh.variance, fit.interceptVariance[b] + fit.familyVariance[b], accuracy: 1e-12)
    }

    /// Repeated sampling: the 90 % interval mean ± z √(variance + σ²) of a
    /// new model's shift covers it at the nominal rate, for a family seen
    /// with a few models and for a family never seen.
    func testOffsetIntervalsCoverNewModels() throws {
        try requireFullTier()   // a coverage study: full tier
        var rng = RandomSource(seed: 11)
        let z = normalQuantile(0.95)
        var seenHits = 0, newHits = 0
        let reps = 200
        for _ in 0..<reps {
            let sim = Simulated(familyCount: 31, modelsPerFamily: { 1 + $0 % 4 }, rng: &rng)
            // Family 30 is left out of the fit: it is the new family.
            let keep = sim.families.indices.filter { sim.families[$0] != "f30" }
            let shifts = keep.flatMap { m in (0..<6).map { sim.shifts[m * 6 + $0] } }
            let fit = try BenchmarkOffsets.fit(shifts: shifts, modelFamilies: keep.map { sim.families[$0] },
                                               benchmarks: (0..<6).map { "b\($0)" })
            let b = Int(rng.uniform() * 6)
            let seenTruth = 0.1 * Double(b) + sim.truth[5 * 6 + b] + 0.3 * rng.normal()
            let seen = fit.offset(family: "f5", benchmark: b)
            if abs(seenTruth - seen.mean) <= z * (seen.variance + fit.residualVariance[b]).squareRoot() { seenHits += 1 }
            let newTruth = 0.1 * Double(b) + sim.truth[30 * 6 + b] + 0.3 * rng.normal()
            let fresh = fit.offset(family: "f30", benchmark: b)
            if abs(newTruth - fresh.mean) <= z * (fresh.variance + fit.residualVariance[b]).squareRoot() { newHits += 1 }
        }
        let tolerance = 3 * (0.09 / Double(reps)).squareRoot()
        XCTAssertEqual(Double(seenHits) / Double(reps), 0.9, accuracy: tolerance, "seen family")
        XCTAssertEqual(Double(newHits) / Double(reps), 0.9, accuracy: tolerance, "new family")
    }

    /// The shift reproduces the score it was computed from, floors included;
    /// a score at the floor or at 1 is first moved 0.5 % inside the range.
    func testScoreShiftInvertsTheMeanResponse() {
        var rng = RandomSource(seed: 3)
        let n = 30, k = 2
        let items = CalibratedItems(dims: k, itemIDs: (0..<n).map { "i\($0)" },
                                    a: (0..<(n * k)).map { _ in 0.5 + rng.uniform() }, d: (0..<n).map { _ in rng.normal() },
                                    g: (0..<n).map { $0 % 3 == 0 ? 0.25 : 0 }, itemBenchmarks: [String](repeating: "b", count: n),
                                    phi: [], response: .bernoulli)
        let theta = [0.3, -0.7], all = Array(0..<n)
        for s0 in [-3.0, -0.5, 0, 1.2, 4] {
            let score = all.reduce(0.0) { sum, j in
                var eta = items.d[j] + s0
                for c in 0..<k { eta += items.a[j * k + c] * theta[c] }
                return sum + ItemResponse(eta: eta, floor: items.g[j]).p
            } / Double(n)
            XCTAssertEqual(items.scoreShift(items: all, theta: theta, score: score), s0, accuracy: 1e-7, "shift \(s0)")
        }
        func mean(_ shift: Double) -> Double {
            all.reduce(0.0) { sum, j in
                var eta = items.d[j] + shift
                for c in 0..<k { eta += items.a[j * k + c] * theta[c] }
                return sum + ItemResponse(eta: eta, floor: items.g[j]).p
            } / Double(n)
        }
        let floor = items.g.reduce(0, +) / Double(n)
        XCTAssertEqual(mean(items.scoreShift(items: all, theta: theta, score: 0)), floor + 0.005 * (1 - floor), accuracy: 1e-9)
        XCTAssertEqual(mean(items.scoreShift(items: all, theta: theta, score: 1)), 1 - 0.005 * (1 - floor), accuracy: 1e-9)
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb) }
        return sab / (saa * sbb).squareRoot()
    }
}
