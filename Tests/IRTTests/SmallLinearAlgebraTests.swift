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
