/// The generating parameters of a simulated response file, stored under
/// `/truth` so a fit can be scored against what produced the data (recovery
/// tests, the `irsl simulate` → `irsl fit` loop). Same conventions as the fit
/// output: P(m,j) = g_j + (1 − g_j) · sigmoid(a_j · θ_m + d_j).
public struct Truth {
    /// θ, [models × dims] row-major (`/truth/theta` [M, K]).
    public var theta: [Double]
    /// Slopes, [items × dims] row-major (`/truth/a` [N, K]).
    public var a: [Double]
    /// Intercepts [N] (`/truth/d`).
    public var d: [Double]
    /// Lower asymptotes [N] (`/truth/g`).
    public var g: [Double]
    /// Beta precision per benchmark, in order of first appearance in
    /// `/items/benchmark` (`/truth/phi` [B]); empty when the file has none.
    public var phi: [Double]
    /// K, the number of latent dimensions.
    public var dims: Int

    public init(theta: [Double], a: [Double], d: [Double], g: [Double], phi: [Double], dims: Int) {
        self.theta = theta
        self.a = a
        self.d = d
        self.g = g
        self.phi = phi
        self.dims = dims
    }

    static let group = "/truth"

    /// The truth stored in `file`, or nil when it has no `/truth` group.
    /// Checks that θ and a share K and that a, d, g agree on N; with
    /// `shape`, also that θ has one row per model and a one per item (a
    /// damaged or foreign /truth must not be compared row by row with a fit).
    public static func read(_ file: H5File, shape: (models: Int, items: Int)? = nil) throws -> Truth? {
        guard file.exists(group) else { return nil }
        func fail(_ field: String, _ message: String) -> StoreError {
            StoreError(file: file.label, field: field, message: message)
        }
        func matrix(_ field: String) throws -> (rows: Int, cols: Int, values: [Double]) {
            guard file.exists(field) else { throw fail(field, "missing; expected a 2-D float64 dataset") }
            let shape = try file.shape(field)
            guard shape.count == 2 else { throw fail(field, "expected a 2-D float64 dataset, found rank \(shape.count)") }
            return (shape[0], shape[1], try file.readDoubles(field))
        }
        func vector(_ field: String, count: Int?) throws -> [Double] {
            guard file.exists(field) else { throw fail(field, "missing; expected a 1-D float64 dataset") }
            let shape = try file.shape(field)
            guard shape.count == 1 else { throw fail(field, "expected a 1-D float64 dataset, found rank \(shape.count)") }
            if let count, shape[0] != count {
                throw fail(field, "expected \(count) values (one per item), found \(shape[0])")
            }
            return try file.readDoubles(field)
        }

        let theta = try matrix("/truth/theta")
        let a = try matrix("/truth/a")
        guard a.cols == theta.cols else {
            throw fail("/truth/a", "expected \(theta.cols) columns like /truth/theta, found \(a.cols)")
        }
        // With `shape`, the truth must describe that matrix (Recovery indexes both by row).
        if let shape, theta.rows != shape.models {
            throw fail("/truth/theta", "expected \(shape.models) rows (one per row of /responses), found \(theta.rows)")
        }
        if let shape, a.rows != shape.items {
            throw fail("/truth/a", "expected \(shape.items) rows (one per column of /responses), found \(a.rows)")
        }
        let d = try vector("/truth/d", count: a.rows)
        // A truth written by hand (NumPy) often has no floors: they are then 0.
        let g = file.exists("/truth/g") ? try vector("/truth/g", count: a.rows) : [Double](repeating: 0, count: a.rows)
        let phi = file.exists("/truth/phi") ? try vector("/truth/phi", count: nil) : []
        return Truth(theta: theta.values, a: a.values, d: d, g: g, phi: phi, dims: theta.cols)
    }

    /// Writes `/truth/theta`, `/truth/a`, `/truth/d`, `/truth/g` and `/truth/phi`.
    public func write(_ file: H5File) throws {
        func fail(_ field: String, _ message: String) -> StoreError {
            StoreError(file: file.label, field: field, message: message)
        }
        guard dims >= 1 else { throw fail(Truth.group, "dims must be at least 1, got \(dims)") }
        guard theta.count % dims == 0 else {
            throw fail("/truth/theta", "\(theta.count) values is not a whole number of rows of \(dims)")
        }
        guard a.count % dims == 0 else {
            throw fail("/truth/a", "\(a.count) values is not a whole number of rows of \(dims)")
        }
        let items = a.count / dims
        guard d.count == items else { throw fail("/truth/d", "expected \(items) values (one per item), found \(d.count)") }
        guard g.count == items else { throw fail("/truth/g", "expected \(items) values (one per item), found \(g.count)") }
        try file.write("/truth/theta", doubles: theta, shape: [theta.count / dims, dims])
        try file.write("/truth/a", doubles: a, shape: [items, dims])
        try file.write("/truth/d", doubles: d)
        try file.write("/truth/g", doubles: g)
        try file.write("/truth/phi", doubles: phi)
    }
}
