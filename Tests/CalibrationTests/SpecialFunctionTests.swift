import Calibration
import Foundation
import IRT
import XCTest

/// The kernels' Float32 exp, log, log Γ, ψ and ψ' against the Float64
/// reference (Foundation's exp/log, IRT.GammaTerms) over the whole range the
/// fit uses, on every vector path this CPU supports. The bounds are those
/// stated in Sources/CKernels/vector_math.h.
final class SpecialFunctionTests: XCTestCase {
    override func tearDown() { VectorKernels.force(lanes: 0) }

    /// Every vector path this CPU can run (4 always).
    var paths: [Int] { [4, 8, 16].filter { $0 <= VectorKernels.force(lanes: 0) } }

    /// n points spread evenly in log x over [lo, hi], as Float32.
    func logGrid(_ lo: Double, _ hi: Double, _ n: Int = 200_000) -> [Float] {
        (0..<n).map { Float(exp(log(lo) + (log(hi) - log(lo)) * Double($0) / Double(n - 1))) }
    }

    /// Largest error of f's approximation against `reference`, as
    /// |approx − ref| / scale(ref), and where it occurs.
    func worst(_ f: VectorKernels.Function, _ x: [Float], reference: (Double) -> Double,
               scale: (Double) -> Double) -> (error: Double, at: Float) {
        let y = VectorKernels.evaluate(f, x)
        var e = 0.0, at: Float = 0
        for i in x.indices {
            let r = reference(Double(x[i]))
            let err = abs(Double(y[i]) - r) / scale(r)
            if !(err <= e) { e = err; at = x[i] }
        }
        return (e, at)
    }

    func check(_ f: VectorKernels.Function, _ x: [Float], bound: Double, reference: (Double) -> Double,
               scale: @escaping (Double) -> Double) {
        for lanes in paths {
            XCTAssertEqual(VectorKernels.force(lanes: lanes), lanes)
            let (e, at) = worst(f, x, reference: reference, scale: scale)
            XCTAssertLessThanOrEqual(e, bound, "\(f) on \(lanes) lanes: error \(e) at x = \(at)")
            // The bound is not vacuous: the Float32 result is within a few roundings of it.
            XCTAssertGreaterThan(e, 1e-9, "\(f) on \(lanes) lanes")
        }
    }

    func testExp() {
        let x = (0..<200_000).map { Float(-87 + 175 * Double($0) / 199_999) }
        check(.exp, x, bound: 2e-7, reference: { Foundation.exp($0) }, scale: { abs($0) })
    }

    func testLog() {
        check(.log, logGrid(1e-30, 1e30), bound: 1.2e-7, reference: { Foundation.log($0) }, scale: { max(1, abs($0)) })
    }

    /// μφ from 1e-6 (below the 1e-4 the issue names) up to 1e6, the largest φ.
    func testLogGamma() {
        check(.logGamma, logGrid(1e-6, 1e6), bound: 4e-6, reference: { GammaTerms($0).logGamma }, scale: { max(1, abs($0)) })
    }

    func testDigamma() {
        check(.digamma, logGrid(1e-6, 1e6), bound: 2e-6, reference: { GammaTerms($0).digamma }, scale: { max(1, abs($0)) })
    }

    func testTrigamma() {
        check(.trigamma, logGrid(1e-6, 1e6), bound: 2e-6, reference: { GammaTerms($0).trigamma }, scale: { abs($0) })
    }

    /// The reference itself at known values, so the comparison means something.
    func testReferenceValues() {
        XCTAssertEqual(GammaTerms(1).logGamma, 0, accuracy: 1e-10)
        XCTAssertEqual(GammaTerms(1).digamma, -0.577_215_664_901_532_9, accuracy: 1e-10)
        XCTAssertEqual(GammaTerms(1).trigamma, Double.pi * Double.pi / 6, accuracy: 1e-10)
        XCTAssertEqual(GammaTerms(0.5).logGamma, 0.5 * log(Double.pi), accuracy: 1e-10)
        XCTAssertEqual(GammaTerms(1e6).logGamma, lgamma(1e6), accuracy: 1e-10 * lgamma(1e6))
    }
}
