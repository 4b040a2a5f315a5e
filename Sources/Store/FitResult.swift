import Foundation

/// Where a fit's time went, stored as root attributes (`read_seconds`,
/// `compute_seconds`, `allreduce_seconds`, `peak_rss_mb`) so tools such as
/// `irsl scaling-study` read them instead of the printed `timings:` line.
public struct FitTimings: Sendable, Equatable {
    /// Reading and checking the shards (slowest rank).
    public var readSeconds: Double
    /// Iterations minus their allreduce time.
    public var computeSeconds: Double
    /// Time in allreduce (slowest rank).
    public var allreduceSeconds: Double
    /// Peak resident memory of the largest rank, in MB (1e6 bytes).
    public var peakRSSMB: Double

    public init(readSeconds: Double, computeSeconds: Double, allreduceSeconds: Double, peakRSSMB: Double) {
        self.readSeconds = readSeconds; self.computeSeconds = computeSeconds
        self.allreduceSeconds = allreduceSeconds; self.peakRSSMB = peakRSSMB
    }
}

/// Run summary stored as root attributes of the fit output file.
public struct FitAttributes {
    /// Final log-likelihood.
    public var loglik: Double
    /// Number of free parameters (for AIC/BIC).
    public var nParameters: Int
    public var aic: Double
    public var bic: Double
    /// Iterations run.
    public var iterations: Int
    /// Whether the convergence criterion was met (stored as int 0/1).
    public var converged: Bool
    /// MPI ranks used.
    public var ranks: Int
    /// Wall-clock seconds.
    public var seconds: Double
    /// "1pl" or "2pl".
    public var model: String
    /// "beta", "bernoulli" or "binomial".
    public var response: String
    public var irslVersion: String
    /// The command line that produced the file.
    public var command: String
    /// Responses clamped away from exactly 0 or 1 (Beta likelihood).
    public var clampedEntries: Int
    /// Non-missing responses used.
    public var nObservations: Int
    /// `input`: the absolute path of the response file the fit was made
    /// from; nil in files written before irsl recorded it.
    public var input: String?
    /// Timing attributes; nil in files written before irsl recorded them.
    public var timings: FitTimings?
    /// How a 2PL fit with K > 1 fixed its rotation: `principal-axes` or
    /// `anchor-items` (docs/estimator.md, "K > 1"); nil for K = 1, 1PL and
    /// files written before irsl recorded it.
    public var rotation: String?

    public init(loglik: Double, nParameters: Int, aic: Double, bic: Double, iterations: Int,
                converged: Bool, ranks: Int, seconds: Double, model: String, response: String,
                irslVersion: String, command: String, clampedEntries: Int, nObservations: Int,
                input: String? = nil, timings: FitTimings? = nil) {
        self.loglik = loglik
        self.nParameters = nParameters
        self.aic = aic
        self.bic = bic
        self.iterations = iterations
        self.converged = converged
        self.ranks = ranks
        self.seconds = seconds
        self.model = model
        self.response = response
        self.irslVersion = irslVersion
        self.command = command
        self.clampedEntries = clampedEntries
        self.nObservations = nObservations
        self.input = input
        self.timings = timings
    }

    /// The recorded input when it exists at that path here; nil otherwise
    /// (`inputProblem` says why).
    public var existingInput: String? {
        guard let input, FileManager.default.fileExists(atPath: input) else { return nil }
        return input
    }

    /// Why `existingInput` is nil, for messages that then ask for `--input`.
    public var inputProblem: String {
        guard let input else { return "the fit records no input file (no @input: written by an irsl before it recorded one)" }
        return "the fit's input \(input) (@input) does not exist here"
    }
}

/// The fit output file: estimates, standard errors, history and run summary
/// (docs/format.md, "Fit output file").
///
/// `write` produces the HDF5 file atomically plus two CSV twins, so results
/// can be inspected with pandas or a spreadsheet without an HDF5 library.
/// Convention (mirt slope-intercept): P(m,j) = g_j + (1 − g_j) · sigmoid(a_j · θ_m + d_j).
public struct FitResult {
    /// `/models/name` [M].
    public var modelNames: [String]
    /// `/models/theta` [M, K], row-major.
    public var theta: [Double]
    /// `/models/theta_se` [M, K].
    public var thetaSE: [Double]
    /// `/items/id` [N].
    public var itemIDs: [String]
    /// `/items/benchmark` [N].
    public var itemBenchmarks: [String]
    /// `/items/a` [N, K], row-major.
    public var a: [Double]
    /// `/items/d` [N].
    public var d: [Double]
    /// `/items/g` [N]: the floor used (fixed, not estimated).
    public var g: [Double]
    /// `/items/a_se` [N, K].
    public var aSE: [Double]
    /// `/items/d_se` [N].
    public var dSE: [Double]
    /// `/benchmarks/name` [B].
    public var benchmarkNames: [String]
    /// `/benchmarks/phi` [B]: Beta precision; NaN for non-Beta fits.
    public var phi: [Double]
    /// K, latent dimensions.
    public var dims: Int
    /// `/history/loglik`: log-likelihood after each iteration.
    public var logLikelihoodHistory: [Double]
    /// Root attributes.
    public var attributes: FitAttributes
    /// `/models/family`, `/models/params`, `/models/tokens`, `/models/flops`
    /// copied from the input's `/models/*` (each nil when the input had none).
    public var families: [String]?
    public var params: [Double]?
    public var tokens: [Double]?
    public var flops: [Double]?

    public init(modelNames: [String], theta: [Double], thetaSE: [Double],
                itemIDs: [String], itemBenchmarks: [String],
                a: [Double], d: [Double], g: [Double], aSE: [Double], dSE: [Double],
                benchmarkNames: [String], phi: [Double], dims: Int,
                logLikelihoodHistory: [Double], attributes: FitAttributes) {
        self.modelNames = modelNames
        self.theta = theta
        self.thetaSE = thetaSE
        self.itemIDs = itemIDs
        self.itemBenchmarks = itemBenchmarks
        self.a = a
        self.d = d
        self.g = g
        self.aSE = aSE
        self.dSE = dSE
        self.benchmarkNames = benchmarkNames
        self.phi = phi
        self.dims = dims
        self.logLikelihoodHistory = logLikelihoodHistory
        self.attributes = attributes
    }

    /// Copies the input's model covariates (`/models/family`, `params`,
    /// `tokens`, `flops`) into the fit, so the fit alone carries them.
    public mutating func recordCovariates(of info: ResponseFileInfo) {
        families = info.families; params = info.params; tokens = info.tokens; flops = info.flops
    }

    /// The recorded covariates of the fit's models; nil when the fit
    /// records none (older files, or an input without `/models/*` covariates).
    public var modelCovariates: [ModelCovariates]? {
        guard families != nil || params != nil || tokens != nil || flops != nil else { return nil }
        return modelNames.indices.map { m in
            ModelCovariates(name: modelNames[m], family: families?[m], params: params?[m] ?? .nan,
                            tokens: tokens?[m] ?? .nan, flops: flops?[m] ?? .nan)
        }
    }

    /// Unidimensional difficulty b = −d/a, defined only when K = 1.
    public var b: [Double]? {
        dims == 1 ? zip(d, a).map { -$0 / $1 } : nil
    }

    /// `"<path>.abilities.csv"`.
    public static func abilitiesCSVPath(for path: String) -> String { path + ".abilities.csv" }
    /// `"<path>.items.csv"`.
    public static func itemsCSVPath(for path: String) -> String { path + ".items.csv" }

    // MARK: - Writing

    /// Writes the HDF5 file and the CSV twins `"<path>.abilities.csv"` and
    /// `"<path>.items.csv"` as one `OutputSet`: all three appear, or (on any
    /// failure, a full disk included) none of the new ones and the old ones
    /// stay as they were. Array lengths are validated first.
    public func write(to path: String) throws {
        try validate(file: path)
        let m = modelNames.count, n = itemIDs.count, k = dims
        try writeOutputs { outputs in
            try outputs.hdf5(path) { file in
                try file.write("/models/name", strings: modelNames)
                try file.write("/models/theta", doubles: theta, shape: [m, k])
                try file.write("/models/theta_se", doubles: thetaSE, shape: [m, k])
                if let families { try file.write(ResponseLayout.modelFamilies, strings: families) }
                if let params { try file.write(ResponseLayout.modelParams, doubles: params) }
                if let tokens { try file.write(ResponseLayout.modelTokens, doubles: tokens) }
                if let flops { try file.write(ResponseLayout.modelFlops, doubles: flops) }
                try file.write("/items/id", strings: itemIDs)
                try file.write("/items/benchmark", strings: itemBenchmarks)
                try file.write("/items/a", doubles: a, shape: [n, k])
                try file.write("/items/d", doubles: d)
                try file.write("/items/g", doubles: g)
                try file.write("/items/a_se", doubles: aSE, shape: [n, k])
                try file.write("/items/d_se", doubles: dSE)
                if let b { try file.write("/items/b", doubles: b) }
                try file.write("/benchmarks/name", strings: benchmarkNames)
                try file.write("/benchmarks/phi", doubles: phi)
                try file.write("/history/loglik", doubles: logLikelihoodHistory)
                let s = attributes
                try file.setAttribute("loglik", s.loglik)
                try file.setAttribute("n_parameters", s.nParameters)
                try file.setAttribute("aic", s.aic)
                try file.setAttribute("bic", s.bic)
                try file.setAttribute("iterations", s.iterations)
                try file.setAttribute("converged", s.converged ? 1 : 0)
                try file.setAttribute("ranks", s.ranks)
                try file.setAttribute("seconds", s.seconds)
                try file.setAttribute("model", s.model)
                try file.setAttribute("response", s.response)
                try file.setAttribute("irsl_version", s.irslVersion)
                try file.setAttribute("command", s.command)
                try file.setAttribute("clamped_entries", s.clampedEntries)
                try file.setAttribute("n_observations", s.nObservations)
                if let input = s.input { try file.setAttribute("input", input) }
                if let rotation = s.rotation { try file.setAttribute("rotation", rotation) }
                if let t = s.timings {
                    try file.setAttribute("read_seconds", t.readSeconds)
                    try file.setAttribute("compute_seconds", t.computeSeconds)
                    try file.setAttribute("allreduce_seconds", t.allreduceSeconds)
                    try file.setAttribute("peak_rss_mb", t.peakRSSMB)
                }
            }
            try outputs.text(FitResult.abilitiesCSVPath(for: path), abilitiesCSV())
            try outputs.text(FitResult.itemsCSVPath(for: path), itemsCSV())
        }
    }

    /// `model,theta_1..theta_K,theta_se_1..theta_se_K` (`model,theta,theta_se` when K = 1).
    func abilitiesCSV() -> String {
        var csv = CSVWriter()
        csv.row(["model"] + FitResult.columns("theta", dims) + FitResult.columns("theta_se", dims))
        for (m, name) in modelNames.enumerated() {
            let row = theta[(m * dims)..<((m + 1) * dims)] + thetaSE[(m * dims)..<((m + 1) * dims)]
            csv.row([name] + row.map(CSVWriter.number))
        }
        return csv.text
    }

    /// `item,benchmark,a_1..a_K,d,g,a_se_1..a_se_K,d_se`, with `b` after `g`
    /// and unsuffixed `a`, `a_se` when K = 1.
    func itemsCSV() -> String {
        let b = self.b
        var csv = CSVWriter()
        csv.row(["item", "benchmark"] + FitResult.columns("a", dims) + ["d", "g"]
                + (b == nil ? [] : ["b"]) + FitResult.columns("a_se", dims) + ["d_se"])
        for j in itemIDs.indices {
            var values = Array(a[(j * dims)..<((j + 1) * dims)]) + [d[j], g[j]]
            if let b { values.append(b[j]) }
            values += aSE[(j * dims)..<((j + 1) * dims)]
            values.append(dSE[j])
            csv.row([itemIDs[j], itemBenchmarks[j]] + values.map(CSVWriter.number))
        }
        return csv.text
    }

    /// `name` when K = 1, else `name_1 ... name_K`.
    private static func columns(_ name: String, _ k: Int) -> [String] {
        k == 1 ? [name] : (1...max(k, 1)).map { "\(name)_\($0)" }
    }

    /// Checks every array length against M, N, K and B before anything is written.
    private func validate(file: String) throws {
        func expect(_ field: String, _ count: Int, _ expected: Int, _ what: String) throws {
            guard count == expected else {
                throw StoreError(file: file, field: field, message: "expected \(expected) values (\(what)), found \(count)")
            }
        }
        guard dims >= 1 else {
            throw StoreError(file: file, field: "/models/theta", message: "dims must be at least 1, got \(dims)")
        }
        let m = modelNames.count, n = itemIDs.count, k = dims
        try expect("/models/theta", theta.count, m * k, "models × dims")
        try expect("/models/theta_se", thetaSE.count, m * k, "models × dims")
        try expect("/items/benchmark", itemBenchmarks.count, n, "one per item")
        try expect("/items/a", a.count, n * k, "items × dims")
        try expect("/items/d", d.count, n, "one per item")
        try expect("/items/g", g.count, n, "one per item")
        try expect("/items/a_se", aSE.count, n * k, "items × dims")
        try expect("/items/d_se", dSE.count, n, "one per item")
        try expect("/benchmarks/phi", phi.count, benchmarkNames.count, "one per benchmark")
        if let families { try expect(ResponseLayout.modelFamilies, families.count, m, "one per model") }
        if let params { try expect(ResponseLayout.modelParams, params.count, m, "one per model") }
        if let tokens { try expect(ResponseLayout.modelTokens, tokens.count, m, "one per model") }
        if let flops { try expect(ResponseLayout.modelFlops, flops.count, m, "one per model") }
    }

    // MARK: - Reading

    /// Reads a fit output file written by `write(to:)` (the CSV twins are not read).
    public static func read(_ path: String) throws -> FitResult {
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        func fail(_ field: String, _ message: String) -> StoreError {
            StoreError(file: path, field: field, message: message)
        }
        func required(_ field: String) throws {
            guard file.exists(field) else { throw fail(field, "missing") }
        }
        func matrix(_ field: String, rows: Int, cols: Int?) throws -> (cols: Int, values: [Double]) {
            try required(field)
            let shape = try file.shape(field)
            guard shape.count == 2, shape[0] == rows, cols == nil || shape[1] == cols! else {
                let expected = "[\(rows), \(cols.map(String.init) ?? "K")]"
                throw fail(field, "expected a float64 matrix of shape \(expected), found shape \(shape)")
            }
            return (shape[1], try file.readDoubles(field))
        }
        func vector(_ field: String, count: Int?) throws -> [Double] {
            try required(field)
            let shape = try file.shape(field)
            guard shape.count == 1, count == nil || shape[0] == count! else {
                throw fail(field, "expected a 1-D float64 dataset of \(count.map(String.init) ?? "any") values, found shape \(shape)")
            }
            return try file.readDoubles(field)
        }
        func strings(_ field: String) throws -> [String] {
            try required(field)
            return try file.readStrings(field)
        }
        func number(_ name: String) throws -> Double {
            guard let value = try file.doubleAttribute(name) else { throw fail("@\(name)", "missing root attribute") }
            return value
        }
        func integer(_ name: String) throws -> Int {
            guard let value = try file.intAttribute(name) else { throw fail("@\(name)", "missing root attribute") }
            return value
        }
        func text(_ name: String) throws -> String {
            guard let value = try file.stringAttribute(name) else { throw fail("@\(name)", "missing root attribute") }
            return value
        }

        let modelNames = try strings("/models/name")
        let m = modelNames.count
        let theta = try matrix("/models/theta", rows: m, cols: nil)
        let k = theta.cols
        let thetaSE = try matrix("/models/theta_se", rows: m, cols: k)
        let itemIDs = try strings("/items/id")
        let n = itemIDs.count
        let itemBenchmarks = try strings("/items/benchmark")
        guard itemBenchmarks.count == n else {
            throw fail("/items/benchmark", "expected \(n) strings (one per item), found \(itemBenchmarks.count)")
        }
        let a = try matrix("/items/a", rows: n, cols: k)
        let aSE = try matrix("/items/a_se", rows: n, cols: k)
        let d = try vector("/items/d", count: n)
        let g = try vector("/items/g", count: n)
        let dSE = try vector("/items/d_se", count: n)
        let benchmarkNames = try strings("/benchmarks/name")
        let phi = try vector("/benchmarks/phi", count: benchmarkNames.count)
        let history = try vector("/history/loglik", count: nil)

        func timings() throws -> FitTimings? {
            guard let read = try file.doubleAttribute("read_seconds") else { return nil }
            return FitTimings(readSeconds: read, computeSeconds: try number("compute_seconds"),
                              allreduceSeconds: try number("allreduce_seconds"), peakRSSMB: try number("peak_rss_mb"))
        }
        func optionalVector(_ field: String) throws -> [Double]? {
            file.exists(field) ? try vector(field, count: m) : nil
        }
        var families: [String]?
        if file.exists(ResponseLayout.modelFamilies) {
            let f = try strings(ResponseLayout.modelFamilies)
            guard f.count == m else { throw fail(ResponseLayout.modelFamilies, "expected \(m) strings (one per model), found \(f.count)") }
            families = f
        }

        var attributes = FitAttributes(
            loglik: try number("loglik"), nParameters: try integer("n_parameters"),
            aic: try number("aic"), bic: try number("bic"), iterations: try integer("iterations"),
            converged: try integer("converged") != 0, ranks: try integer("ranks"),
            seconds: try number("seconds"), model: try text("model"), response: try text("response"),
            irslVersion: try text("irsl_version"), command: try text("command"),
            clampedEntries: try integer("clamped_entries"), nObservations: try integer("n_observations"),
            input: try file.stringAttribute("input"), timings: try timings())
        attributes.rotation = try file.stringAttribute("rotation")

        var result = FitResult(modelNames: modelNames, theta: theta.values, thetaSE: thetaSE.values,
                               itemIDs: itemIDs, itemBenchmarks: itemBenchmarks, a: a.values, d: d, g: g,
                               aSE: aSE.values, dSE: dSE, benchmarkNames: benchmarkNames, phi: phi, dims: k,
                               logLikelihoodHistory: history, attributes: attributes)
        result.families = families
        result.params = try optionalVector(ResponseLayout.modelParams)
        result.tokens = try optionalVector(ResponseLayout.modelTokens)
        result.flops = try optionalVector(ResponseLayout.modelFlops)
        return result
    }
}
