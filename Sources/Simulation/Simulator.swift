import Foundation
import IRT

/// A synthetic response matrix with known truth.
///
/// Abilities follow a log-compute law per family, so the scaling-law tools
/// can be checked on the same files: for dimension k,
/// θ_mk = β_k · x_m + α_fk + e_mk, where x_m is the standardised log10 FLOPs of
/// model m (uniform over 1e20…1e25), α_fk ~ N(0, 0.5²) is the family's
/// offset and e_mk ~ N(0, 0.3²) the model's own scatter; β = 1 for the first
/// dimension and 0.5 for the others. Items belong to contiguous benchmark
/// blocks; a_jk ~ LogNormal(0, 0.3²), d_j ~ N(0, 1.2²), the Beta precision of
/// each benchmark is uniform on [8, 30].
///
/// Rows are generated from their own random stream, so any block of rows can
/// be produced independently (and in parallel) with identical results.
public struct Simulator: Sendable {
    public let spec: SimulationSpec
    public let theta: [Double]        // [M × K]
    public let a: [Double]            // [N × K]
    public let d: [Double]            // [N]
    public let g: [Double]            // [N]
    public let phi: [Double]          // [B]
    public let benchmarkOfItem: [Int] // [N]
    public let familyOfModel: [Int]   // [M]
    public let log10Flops: [Double]   // [M]
    public let familyEffect: [Double] // [F × K]
    public let slope: [Double]        // [K]

    public init(_ spec: SimulationSpec) {
        precondition(spec.models > 0 && spec.items > 0 && spec.dims > 0 && spec.families > 0)
        precondition(spec.benchmarks > 0 && spec.benchmarks <= spec.items)
        self.spec = spec
        let m = spec.models, n = spec.items, k = spec.dims
        var rng = RandomSource(seed: spec.seed, stream: 0xA11CE)

        slope = (0..<k).map { $0 == 0 ? 1.0 : 0.5 }
        familyEffect = (0..<(spec.families * k)).map { _ in 0.5 * rng.normal() }
        familyOfModel = (0..<m).map { $0 % spec.families }
        log10Flops = (0..<m).map { _ in 20 + 5 * rng.uniform() }
        let mean = log10Flops.reduce(0, +) / Double(m)
        let sd = max((log10Flops.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(m - 1, 1))).squareRoot(), 1e-12)
        var theta = [Double](repeating: 0, count: m * k)
        for i in 0..<m {
            let x = (log10Flops[i] - mean) / sd
            for c in 0..<k {
                theta[i * k + c] = slope[c] * x + familyEffect[familyOfModel[i] * k + c] + 0.3 * rng.normal()
            }
        }
        self.theta = theta
        a = (0..<(n * k)).map { _ in exp(0.3 * rng.normal()) }
        d = (0..<n).map { _ in 1.2 * rng.normal() }
        g = [Double](repeating: spec.floor, count: n)
        phi = (0..<spec.benchmarks).map { _ in 8 + 22 * rng.uniform() }
        benchmarkOfItem = (0..<n).map { $0 * spec.benchmarks / n }
    }

    public var modelNames: [String] { (0..<spec.models).map { "family\(familyOfModel[$0])-model\($0)" } }
    public var familyNames: [String] { familyOfModel.map { "family\($0)" } }
    public var benchmarkNames: [String] { (0..<spec.benchmarks).map { "bench\($0)" } }
    public var itemIDs: [String] { (0..<spec.items).map { "bench\(benchmarkOfItem[$0])/q\($0)" } }
    public var itemBenchmarks: [String] { benchmarkOfItem.map { "bench\($0)" } }
    /// Compute-optimal split of the simulated FLOPs: C = 6·P·T with T = 20·P.
    public var flops: [Double] { log10Flops.map { pow(10, $0) } }
    public var params: [Double] { flops.map { ($0 / 120).squareRoot() } }
    public var tokens: [Double] { params.map { 20 * $0 } }

    /// The true success probability of model `row` on item `j`.
    @inlinable
    public func probability(row: Int, item j: Int) -> Double {
        let k = spec.dims
        var eta = d[j]
        for c in 0..<k { eta += a[j * k + c] * theta[row * k + c] }
        return ItemResponse(eta: eta, floor: g[j]).p
    }

    /// Fills rows `rows` of the response matrix (row-major, `spec.items`
    /// columns) and, for binomial data, the trial counts.
    public func fill(rows: Range<Int>, responses: UnsafeMutableBufferPointer<Float>, trials: UnsafeMutableBufferPointer<Int32>?) {
        let n = spec.items
        precondition(responses.count >= rows.count * n)
        for (offset, row) in rows.enumerated() {
            var rng = RandomSource(seed: spec.seed, stream: UInt64(row) &+ 1)
            let base = offset * n
            for j in 0..<n {
                let p = probability(row: row, item: j)
                var y: Double
                switch spec.response {
                case .beta:
                    let f = phi[benchmarkOfItem[j]]
                    y = rng.beta(p * f, (1 - p) * f)
                case .bernoulli:
                    y = rng.uniform() < p ? 1 : 0
                case .binomial:
                    y = Double(rng.binomial(spec.trials, p)) / Double(spec.trials)
                    trials?[base + j] = Int32(spec.trials)
                case .betaBinomial:
                    // Each (model, question) pair has its own success rate around p.
                    let f = phi[benchmarkOfItem[j]]
                    let q = min(max(rng.beta(p * f, (1 - p) * f), 0), 1)
                    y = Double(rng.binomial(spec.trials, q)) / Double(spec.trials)
                    trials?[base + j] = Int32(spec.trials)
                }
                if spec.missing > 0, rng.uniform() < spec.missing { y = .nan }
                responses[base + j] = Float(y)
            }
        }
    }
}
