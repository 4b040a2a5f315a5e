import CKernels
import MessagePassing
import Foundation
import IRT

/// Conditional standard errors after convergence.
extension Calibrator {
    // MARK: - Standard errors

    /// Conditional posterior standard errors from the inverse observed-information
    /// blocks of the penalised objective (the priors included): each ability
    /// given the items, each item given the abilities.
    public func standardErrors() -> (thetaSE: [Double], aSE: [Double], dSE: [Double]) {
        let n = shard.items, k = self.k, p = self.p
        var thetaSE = [Double](repeating: .nan, count: shard.rows * k)
        var acc = [Double](repeating: 0, count: layout.count)
        acc.withUnsafeMutableBufferPointer { accBuf in
            thetaSE.withUnsafeMutableBufferPointer { se in
                let (acc, se) = (accBuf.baseAddress!, se.baseAddress!)
                if usesKernels {
                    kernelSweep(acc: acc, thetaSE: se)
                } else {
                    switch options.response {
                    case .beta: sweep(BetaLikelihood.self, acc: acc, updateTheta: false, observedInformation: true, thetaSE: se)
                    case .bernoulli, .binomial: sweep(BinomialLikelihood.self, acc: acc, updateTheta: false, observedInformation: true, thetaSE: se)
                    case .betaBinomial: sweep(BetaBinomialLikelihood.self, acc: acc, updateTheta: false, observedInformation: true, thetaSE: se)
                    }
                }
            }
        }
        comm.allreduceSum(&acc)
        var aSE = [Double](repeating: .nan, count: n * k), dSE = [Double](repeating: .nan, count: n)
        var h = [Double](repeating: 0, count: p * p)
        for j in 0..<n {
            informationBlock(acc, item: j, into: &h)
            let ok = h.withUnsafeMutableBufferPointer { SmallLinearAlgebra.cholesky($0.baseAddress!, p) }
            guard ok else { continue }
            let v = h.withUnsafeBufferPointer { SmallLinearAlgebra.inverseDiagonal($0.baseAddress!, p) }
            if options.model == .twoPL {
                for c in 0..<k { aSE[j * k + c] = v[c].squareRoot() }
                dSE[j] = v[k].squareRoot()
            } else {
                dSE[j] = v[0].squareRoot()
                aSE[j] = 0
            }
        }
        return (thetaSE, aSE, dSE)
    }
}
