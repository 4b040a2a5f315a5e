import CKernels
import Foundation
import IRT

/// The buffers of the vectorised pass, allocated once per fit: the items'
/// parameters as padded Float32 structure-of-arrays (what the kernels
/// stream), and the block buffer of prepared entries. `load` refreshes the
/// Float32 copies from the Float64 parameters before every pass (O(N·K),
/// negligible next to the pass).
final class KernelWorkspace {
    let items: Int
    let dims: Int
    /// Items rounded up to the widest vector: the kernels never see a partial chunk of items.
    let padded: Int
    /// a: K × padded (a[c · padded + j]); then d, g, φ, ψ(φ), ψ'(φ), each padded.
    private let storage: UnsafeMutableBufferPointer<Float>
    let block: UnsafeMutableBufferPointer<Float>
    /// Observed entries of each item in this shard: the multiplier of the
    /// per-entry constant log Γ(φ), which the kernels leave out (`logGammaConstant`).
    private let observedPerItem: [Double]

    /// The K the kernels cover.
    static let dimensionRange = 1...4

    init(shard: Shard, dims: Int) {
        precondition(Self.dimensionRange.contains(dims))
        let items = shard.items
        self.items = items
        self.dims = dims
        let pad = Int(IRSL_PAD)
        padded = (items + pad - 1) / pad * pad
        var observed = [Double](repeating: 0, count: items)
        shard.responses.withUnsafeBufferPointer { y in
            for i in y.indices where !y[i].isNaN { observed[i % items] += 1 }
        }
        observedPerItem = observed
        storage = .allocate(capacity: (dims + 5) * padded)
        storage.initialize(repeating: 0)
        block = .allocate(capacity: irsl_block_floats(padded))
        block.initialize(repeating: 0)
    }

    deinit {
        storage.deallocate()
        block.deallocate()
    }

    private func column(_ q: Int) -> UnsafeMutablePointer<Float> { storage.baseAddress! + q * padded }
    var a: UnsafeMutablePointer<Float> { column(0) }
    var d: UnsafeMutablePointer<Float> { column(dims) }
    var g: UnsafeMutablePointer<Float> { column(dims + 1) }
    var phi: UnsafeMutablePointer<Float> { column(dims + 2) }
    var digammaPhi: UnsafeMutablePointer<Float> { column(dims + 3) }
    var trigammaPhi: UnsafeMutablePointer<Float> { column(dims + 4) }

    /// Copies the current item parameters in; padding items keep a = d = g = 0 and φ = 1.
    ///
    /// ψ, ψ' of each benchmark's φ come from the kernels' own Float32
    /// functions, not from GammaTerms: the precision derivatives subtract
    /// per-entry terms of the same functions at nearby arguments (ψ(n + φ) − ψ(φ)
    /// in the beta-binomial), and one approximation on both sides cancels its own error.
    func load(_ p: ItemParameters) {
        let k = dims
        let phis = p.phi.map { Float($0) }
        let dg = VectorKernels.evaluate(.digamma, phis), tg = VectorKernels.evaluate(.trigamma, phis)
        for j in 0..<items {
            for c in 0..<k { a[c * padded + j] = Float(p.a[j * k + c]) }
            d[j] = Float(p.d[j])
            g[j] = Float(p.g[j])
            let b = Int(p.benchmarkOfItem[j])
            phi[j] = Float(p.phi[b])
            digammaPhi[j] = dg[b]
            trigammaPhi[j] = tg[b]
        }
        for j in items..<padded { phi[j] = 1 }
    }

    /// Σ_j (observed entries of item j) · log Γ(φ_j) in Float64: the part of the
    /// Beta and beta-binomial log-likelihood that every observed entry of an
    /// item shares, which the kernels leave out. Summed per entry in Float32 it
    /// was the log-likelihood's noise floor: log Γ(φ) rounded to Float32 (an
    /// error of up to 4e-6 at φ ≈ 30) times millions of entries moved the total
    /// by tens of units from one iteration to the next, above a relative
    /// change of 1e-7, so large fits could not be seen to converge.
    func logGammaConstant(_ p: ItemParameters) -> Double {
        var total = 0.0
        for j in 0..<items where observedPerItem[j] > 0 {
            total += observedPerItem[j] * lgamma(p.phi[Int(p.benchmarkOfItem[j])])
        }
        return total
    }
}

extension Shard {
    /// The responses and (when present) trial counts as pointers, for one pass.
    func withEntries<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Float>?) throws -> R) rethrows -> R {
        try responses.withUnsafeBufferPointer { y in
            if let trials {
                return try trials.withUnsafeBufferPointer { try body(y.baseAddress!, $0.baseAddress!) }
            }
            return try body(y.baseAddress!, nil)
        }
    }
}
