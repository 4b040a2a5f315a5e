import Foundation

/// A small deterministic normal generator for the forecast's Monte Carlo
/// (SplitMix64 and Box–Muller): forecasts are reproducible run to run, and
/// this module needs no dependency on the simulator.
struct NormalDraws {
    private var state: UInt64
    private var spare: Double?

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0xD1B5_4A32_D192_ED03 }

    mutating func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) + 0.5) * 0x1.0p-53
    }

    mutating func normal() -> Double {
        if let s = spare { spare = nil; return s }
        let r = (-2 * log(uniform())).squareRoot(), t = 2 * Double.pi * uniform()
        spare = r * sin(t)
        return r * cos(t)
    }

    /// L z for z ~ N(0, I): a draw with covariance L Lᵀ.
    mutating func correlated(_ l: [Double], _ k: Int) -> [Double] {
        let z = (0..<k).map { _ in normal() }
        return (0..<k).map { i in (0...i).reduce(0.0) { $0 + l[i * k + $1] * z[$1] } }
    }
}
