import Foundation
import Store

/// The law file (`irsl law --output LAW.h5`) and its CSV twin; the layout is
/// documented in docs/scaling-law.md.
///
/// Everything a forecast needs is stored, including the joint covariance of
/// the coefficients and the family effects per dimension (not only their
/// standard errors), so `irsl forecast` reproduces the law's intervals
/// exactly without refitting.
extension AbilityLaw {
    /// `"<path>.csv"`.
    public static func csvPath(for path: String) -> String { path + ".csv" }

    /// Writes the HDF5 file and its CSV twin as one `OutputSet`: both appear or neither.
    public func write(to path: String, command: String = "", version: String = "") throws {
        let k = dims, p = transform.kind.designCount, g = families.count, q = p + g
        let r = transform.kind.rawCount, n = modelNames.count
        try writeOutputs { outputs in try outputs.hdf5(path) { f in
            try f.write("/law/terms", strings: transform.termNames)
            try f.write("/law/coefficients", doubles: dimensions.flatMap(\.coefficients), shape: [k, p])
            try f.write("/law/coefficient_covariance", doubles: dimensions.flatMap(\.coefficientCovariance), shape: [k, p, p])
            try f.write("/law/joint_covariance", doubles: dimensions.flatMap(\.jointCovariance), shape: [k, q, q])
            try f.write("/law/family_variance", doubles: dimensions.map(\.groupVariance))
            try f.write("/law/residual_variance", doubles: dimensions.map(\.residualVariance))
            try f.write("/law/residual_correlation", doubles: residualCorrelation, shape: [k, k])
            try f.write("/law/family_correlation", doubles: familyCorrelation, shape: [k, k])
            try f.write("/law/center", doubles: transform.center)
            try f.write("/law/scale", doubles: transform.scale)
            try f.write("/families/name", strings: families)
            var effect = [Double](repeating: 0, count: g * k), se = effect
            for (d, m) in dimensions.enumerated() {
                for j in 0..<g { effect[j * k + d] = m.groupEffects[j]; se[j * k + d] = m.groupEffectSE(j) }
            }
            try f.write("/families/effect", doubles: effect, shape: [g, k])
            try f.write("/families/effect_se", doubles: se, shape: [g, k])
            try f.write("/families/models", ints: (0..<g).map { Int32(dimensions[0].groupCounts[$0]) })
            try f.write("/models/name", strings: modelNames)
            try f.write("/models/family", strings: modelFamilies)
            try f.write("/models/covariates", doubles: modelRaw, shape: [n, r])
            try f.write("/models/theta", doubles: modelTheta, shape: [n, k])
            if let dispersion {
                try f.write("/law/dispersion", doubles: dispersion)
                try f.write("/law/dispersion_benchmark", strings: dispersionBenchmarks)
            }
            if let resolution {
                try f.write("/law/resolution", doubles: resolution)
                try f.write("/law/resolution_benchmark", strings: resolutionBenchmarks)
            }
            try offsets?.write(to: f)
            try f.setAttribute("covariates", transform.kind.rawValue)
            try f.setAttribute("families", mode.rawValue)
            try f.setAttribute("dims", k)
            try f.setAttribute("skipped", skipped)
            try f.setAttribute("fit_path", fitPath)
            try f.setAttribute("fit_loglik", fitLogLikelihood)
            try f.setAttribute("fit_models", fitModels)
            try f.setAttribute("command", command)
            try f.setAttribute("irsl_version", version)
        }
        try outputs.text(AbilityLaw.csvPath(for: path), csv()) }
    }

    /// `dimension,term,estimate,se`: the coefficients, `family_sd` and
    /// `residual_sd`, then `family:<name>` effects with their prediction-error
    /// SDs; with a dispersion, rows `dispersion:<benchmark>`, and for scores
    /// reported rounded, rows `resolution:<benchmark>` (dimension empty).
    public func csv() -> String {
        var w = CSVWriter()
        w.row(["dimension", "term", "estimate", "se"])
        for (d, m) in dimensions.enumerated() {
            let dim = String(d + 1)
            for (i, t) in transform.termNames.enumerated() {
                w.row([dim, t, CSVWriter.number(m.coefficients[i]), CSVWriter.number(m.coefficientSE(i))])
            }
            w.row([dim, "family_sd", CSVWriter.number(m.groupVariance.squareRoot()), ""])
            w.row([dim, "residual_sd", CSVWriter.number(m.residualVariance.squareRoot()), ""])
            for (j, name) in families.enumerated() {
                w.row([dim, "family:" + name, CSVWriter.number(m.groupEffects[j]), CSVWriter.number(m.groupEffectSE(j))])
            }
        }
        if let o = offsets {
            for (f, family) in o.families.enumerated() {
                for (b, benchmark) in o.benchmarks.enumerated() where o.effect[f * o.benchmarks.count + b].isFinite {
                    w.row(["", "offset:\(family):\(benchmark)", CSVWriter.number(o.effect[f * o.benchmarks.count + b]),
                           CSVWriter.number(o.effectVariance[f * o.benchmarks.count + b].squareRoot())])
                }
            }
        }
        for (b, psi) in (dispersion ?? []).enumerated() {
            w.row(["", "dispersion:" + (b < dispersionBenchmarks.count ? dispersionBenchmarks[b] : String(b)), CSVWriter.number(psi), ""])
        }
        for (b, r) in (resolution ?? []).enumerated() where r > 0 {
            w.row(["", "resolution:" + (b < resolutionBenchmarks.count ? resolutionBenchmarks[b] : String(b)), CSVWriter.number(r), ""])
        }
        return w.text
    }

    /// Reads a law file written by `write(to:)`, checking every shape.
    public static func read(_ path: String) throws -> AbilityLaw {
        let f = try H5File(path, mode: .readOnly)
        defer { f.close() }
        func fail(_ field: String, _ message: String) -> StoreError { StoreError(file: path, field: field, message: message) }
        func need(_ field: String) throws { guard f.exists(field) else { throw fail(field, "missing; is this a law file written by irsl law?") } }
        func doubles(_ field: String, _ shape: [Int]) throws -> [Double] {
            try need(field)
            let s = try f.shape(field)
            guard s == shape else { throw fail(field, "expected shape \(shape), found \(s)") }
            return try f.readDoubles(field)
        }
        func strings(_ field: String, _ count: Int?) throws -> [String] {
            try need(field)
            let v = try f.readStrings(field)
            if let count, v.count != count { throw fail(field, "expected \(count) strings, found \(v.count)") }
            return v
        }
        guard let setText = try f.stringAttribute("covariates") else { throw fail("@covariates", "missing; is this a law file written by irsl law?") }
        guard let set = CovariateSet(rawValue: setText) else { throw fail("@covariates", "expected flops or params-tokens, found \"\(setText)\"") }
        guard let modeText = try f.stringAttribute("families") else { throw fail("@families", "missing") }
        guard let mode = FamilyEffects(rawValue: modeText) else { throw fail("@families", "expected random, fixed or none, found \"\(modeText)\"") }
        guard let k = try f.intAttribute("dims"), k >= 1 else { throw fail("@dims", "missing or not a positive integer") }
        let p = set.designCount, r = set.rawCount
        let families = try strings("/families/name", nil)
        let g = families.count, q = p + g
        let coefficients = try doubles("/law/coefficients", [k, p])
        let joint = try doubles("/law/joint_covariance", [k, q, q])
        let familyVariance = try doubles("/law/family_variance", [k])
        let residualVariance = try doubles("/law/residual_variance", [k])
        let residualCorrelation = try doubles("/law/residual_correlation", [k, k])
        let familyCorrelation = try doubles("/law/family_correlation", [k, k])
        let center = try doubles("/law/center", [r]), scale = try doubles("/law/scale", [r])
        let effect = try doubles("/families/effect", [g, k])
        try need("/families/models")
        let counts = try f.readInts("/families/models").map(Int.init)
        guard counts.count == g else { throw fail("/families/models", "expected \(g) counts, found \(counts.count)") }
        let names = try strings("/models/name", nil)
        let n = names.count
        let modelFamilies = try strings("/models/family", n)
        let raw = try doubles("/models/covariates", [n, r])
        let theta = try doubles("/models/theta", [n, k])
        let dims = (0..<k).map { d in
            LinearMixedModel(storedMode: mode, coefficients: Array(coefficients[(d * p)..<((d + 1) * p)]),
                             groupEffects: (0..<g).map { effect[$0 * k + d] }, groupCounts: counts,
                             jointCovariance: Array(joint[(d * q * q)..<((d + 1) * q * q)]),
                             groupVariance: familyVariance[d], residualVariance: residualVariance[d])
        }
        let dispersion = f.exists("/law/dispersion") ? try f.readDoubles("/law/dispersion") : nil
        let dispersionBenchmarks = dispersion == nil ? [] : try strings("/law/dispersion_benchmark", dispersion!.count)
        var law = AbilityLaw(transform: CovariateTransform(set: set, center: center, scale: scale), mode: mode, dims: k,
                          families: families, dimensions: dims, residualCorrelation: residualCorrelation,
                          familyCorrelation: familyCorrelation, modelNames: names, modelFamilies: modelFamilies,
                          modelRaw: raw, modelTheta: theta, skipped: try f.intAttribute("skipped") ?? 0,
                          fitPath: try f.stringAttribute("fit_path") ?? "",
                          fitLogLikelihood: try f.doubleAttribute("fit_loglik") ?? .nan,
                          fitModels: try f.intAttribute("fit_models") ?? 0, dispersion: dispersion,
                          dispersionBenchmarks: dispersionBenchmarks)
        if f.exists("/law/resolution") {
            law.resolution = try f.readDoubles("/law/resolution")
            law.resolutionBenchmarks = try strings("/law/resolution_benchmark", law.resolution!.count)
        }
        law.familySlopes = FamilySlopes(law: law)
        law.offsets = try BenchmarkOffsets.read(f, path: path)
        return law
    }
}
