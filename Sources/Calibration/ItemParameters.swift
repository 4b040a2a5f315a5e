/// The replicated half of the model: every rank holds all of it, O(N·K).
public struct ItemParameters: Equatable, Sendable {
    public let dims: Int
    /// Discriminations, [N × K] row-major.
    public var a: [Double]
    /// Intercepts (mirt's d; difficulty b = −d/a when K = 1).
    public var d: [Double]
    /// Lower asymptotes (chance floors), fixed during the fit.
    public var g: [Double]
    /// Beta precision per benchmark (unused by the other likelihoods).
    public var phi: [Double]
    /// Index into `phi` of every item.
    public var benchmarkOfItem: [Int32]

    public var count: Int { d.count }
    public var benchmarkCount: Int { phi.count }

    public init(dims: Int, a: [Double], d: [Double], g: [Double], phi: [Double], benchmarkOfItem: [Int32]) {
        self.dims = dims; self.a = a; self.d = d; self.g = g; self.phi = phi; self.benchmarkOfItem = benchmarkOfItem
    }
}
