import CKernels

/// The vector code path of the C kernels, for tests and the performance line:
/// which ISA the pass runs on, a switch to force a narrower one, and the
/// kernels' own Float32 special functions (to test their error bounds).
public enum VectorKernels {
    /// Float32 lanes of the pass on this CPU: 16 (AVX-512), 8 (AVX2 + FMA) or 4 (SSE2 / NEON).
    public static var lanes: Int { Int(irsl_vector_lanes()) }

    /// Restricts the pass to at most `lanes` (4, 8 or 16; 0 = the widest the CPU has).
    /// Returns the lanes now in use. Process-wide: for tests and measurements.
    @discardableResult
    public static func force(lanes: Int) -> Int { Int(irsl_force_vector_lanes(Int32(lanes))) }

    public enum Function: Int32 { case exp = 0, log, logGamma, digamma, trigamma }

    /// The kernels' Float32 approximation of `function` at every x, on the current code path.
    public static func evaluate(_ function: Function, _ x: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { irsl_special_f32(function.rawValue, xs.count, xs.baseAddress!, $0.baseAddress!) }
        }
        return out
    }
}
