import IRT
import XCTest

final class SmallLinearAlgebraTests: XCTestCase {
    func testSolveRecoversKnownSolution() {
        let a: [Double] = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]
        let x: [Double] = [1, -2, 0.5]
        let b = (0..<3).map { i in (0..<3).map { a[i * 3 + $0] * x[$0] }.reduce(0, +) }
        let solved = SmallLinearAlgebra.solve(a, b)!
        for i in 0..<3 { XCTAssertEqual(solved[i], x[i], accuracy: 1e-12) }
    }

    func testRejectsIndefiniteMatrix() {
        XCTAssertNil(SmallLinearAlgebra.solve([1, 2, 2, 1], [1, 1]))
    }

    func testInverseDiagonal() {
        // A = [[2, 1], [1, 2]] → A⁻¹ = [[2, −1], [−1, 2]] / 3
        var l: [Double] = [2, 1, 1, 2]
        XCTAssertTrue(l.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, 2) })
        let diag = l.withUnsafeBufferPointer { SmallLinearAlgebra.inverseDiagonal($0.baseAddress!, 2) }
        XCTAssertEqual(diag[0], 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(diag[1], 2.0 / 3, accuracy: 1e-12)
    }

    /// The tridiagonal [[2, 1, 0], [1, 2, 1], [0, 1, 2]] has eigenvalues
    /// 2 + √2, 2, 2 − √2 with eigenvectors (1, √2, 1)/2, (1, 0, −1)/√2, (1, −√2, 1)/2.
    func testSymmetricEigenAgainstKnownDecomposition() {
        let a: [Double] = [2, 1, 0, 1, 2, 1, 0, 1, 2]
        let (values, v) = SmallLinearAlgebra.symmetricEigen(a, 3)
        let r2 = 2.0.squareRoot()
        XCTAssertEqual(values[0], 2 + r2, accuracy: 1e-13)
        XCTAssertEqual(values[1], 2, accuracy: 1e-13)
        XCTAssertEqual(values[2], 2 - r2, accuracy: 1e-13)
        let expected: [[Double]] = [[0.5, r2 / 2, 0.5], [1 / r2, 0, -1 / r2], [0.5, -r2 / 2, 0.5]]
        for col in 0..<3 {
            let sign: Double = v[col] * expected[col][0] < 0 ? -1 : 1      // an eigenvector's sign is free
            for i in 0..<3 { XCTAssertEqual(sign * v[i * 3 + col], expected[col][i], accuracy: 1e-12, "vector \(col)[\(i)]") }
        }
    }

    /// A random symmetric 5 × 5: V diag(λ) Vᵀ rebuilds A and V is orthonormal.
    func testSymmetricEigenRebuildsTheMatrix() {
        let n = 5
        var a = [Double](repeating: 0, count: n * n)
        var x = 0.37
        for i in 0..<n { for j in 0...i { x = (x * 9301 + 0.49297).truncatingRemainder(dividingBy: 1); a[i * n + j] = x - 0.5; a[j * n + i] = x - 0.5 } }
        let (values, v) = SmallLinearAlgebra.symmetricEigen(a, n)
        for i in 1..<n { XCTAssertGreaterThanOrEqual(values[i - 1], values[i]) }
        for i in 0..<n {
            for j in 0..<n {
                var rebuilt = 0.0, dot = 0.0
                for c in 0..<n { rebuilt += v[i * n + c] * values[c] * v[j * n + c]; dot += v[c * n + i] * v[c * n + j] }
                XCTAssertEqual(rebuilt, a[i * n + j], accuracy: 1e-12)
                XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
            }
        }
    }

    /// (3, 4) has norm 5: clamped to radius 2 it becomes (1.2, 1.6); inside the ball it is untouched.
    func testClampNorm() {
        var x: [Double] = [3, 4]
        x.withUnsafeMutableBufferPointer { SmallLinearAlgebra.clampNorm($0.baseAddress!, 2, radius: 2) }
        XCTAssertEqual(x[0], 1.2, accuracy: 1e-15)
        XCTAssertEqual(x[1], 1.6, accuracy: 1e-15)
        let inside = x
        x.withUnsafeMutableBufferPointer { SmallLinearAlgebra.clampNorm($0.baseAddress!, 2, radius: 5) }
        XCTAssertEqual(x, inside)
    }

    func testAgreement() {
        let x = (0..<50).map { Double($0) }
        XCTAssertEqual(Agreement.pearson(x, x.map { 3 * $0 - 1 }), 1, accuracy: 1e-12)
        XCTAssertEqual(Agreement.pearson(x, x.map { -$0 }), -1, accuracy: 1e-12)
        // y depends on two columns exactly → R² = 1 even though each column alone does not explain it.
        var cols: [Double] = [], y: [Double] = []
        for i in 0..<50 {
            let u = Double(i), v = Double((i * 7) % 11)
            cols += [u, v]
            y.append(2 * u - 3 * v + 1)
        }
        XCTAssertEqual(Agreement.rSquared(y, on: cols, columns: 2), 1, accuracy: 1e-10)
        XCTAssertLessThan(Agreement.pearson(y, x), 0.99)
    }
}
