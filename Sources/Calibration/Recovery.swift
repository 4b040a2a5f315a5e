import IRT
import Store

/// Agreement of a fit with the truth of a simulated file, on the scale-free
/// measures that joint MLE identifies: correlations for K = 1, and for
/// K > 1 the R² of each true dimension regressed on the estimated ones (the
/// latent space is identified only up to an affine map), and discriminations
/// mapped into the truth's coordinates.
public struct Recovery {
    public var thetaCorrelation: [Double]
    public var aCorrelation: [Double]
    public var dCorrelation: Double
    public var phiRelativeError: [Double]

    public init(truth: Truth, fit: FitResult) {
        let k = fit.dims, kt = truth.dims
        let m = fit.modelNames.count, n = fit.itemIDs.count
        func column(_ v: [Double], _ c: Int, _ width: Int, _ count: Int) -> [Double] { (0..<count).map { v[$0 * width + c] } }
        if k == 1 && kt == 1 {
            thetaCorrelation = [Agreement.pearson(truth.theta, fit.theta)]
            aCorrelation = [Agreement.pearson(truth.a, fit.a)]
        } else {
            thetaCorrelation = (0..<kt).map { Agreement.rSquared(column(truth.theta, $0, kt, m), on: fit.theta, columns: k).squareRoot() }
            // Discriminations move with the abilities' affine map; compare them in the truth's coordinates.
            let aligned = Agreement.alignedDiscriminations(estimatedTheta: fit.theta, estimatedA: fit.a, dims: k,
                                                           trueTheta: truth.theta, trueDims: kt)
            aCorrelation = (0..<kt).map { Agreement.pearson(column(truth.a, $0, kt, n), column(aligned, $0, kt, n)) }
        }
        dCorrelation = Agreement.pearson(truth.d, fit.d)
        phiRelativeError = zip(truth.phi, fit.phi).map { ($1 - $0) / $0 }
    }

    public var summary: String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        var s = "recovery against the file's truth: r(theta) " + thetaCorrelation.map(f).joined(separator: ", ")
            + "  r(a) " + aCorrelation.map(f).joined(separator: ", ") + "  r(d) " + f(dCorrelation)
        if let worst = phiRelativeError.filter({ $0.isFinite }).map(abs).max() {
            s += "  max |phi error| " + String(format: "%.1f%%", 100 * worst)
        }
        return s
    }
}
