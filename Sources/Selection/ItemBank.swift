import Foundation
import IRT
import Store

/// The calibrated items that selection, scoring, adaptive testing and the
/// diagnostics work from: one-dimensional parameters (a, d, g) per item, the
/// benchmark of every item, the Beta precision per benchmark, the likelihood
/// the fit used, and the calibrated models' abilities (the population).
///
/// Why a separate type rather than `FitResult`: the same tools run on a fit
/// read from disk (`irsl select`, `score`, `cat`, `items`) and on a fit made
/// in-process on training models (`irsl evaluate-subset`); this is what both
/// have in common, checked once (K = 1, a known likelihood, finite φ for Beta).
public struct ItemBank: Sendable {
    /// Item ids, as in `/items/id`.
    public let ids: [String]
    /// Benchmark index of each item (into `benchmarkNames`).
    public let benchmarkOfItem: [Int]
    /// Benchmarks in order of first appearance.
    public let benchmarkNames: [String]
    /// Discriminations (K = 1).
    public let a: [Double]
    /// Intercepts; η = a θ + d.
    public let d: [Double]
    /// Lower asymptotes (floors).
    public let g: [Double]
    /// Beta precision per benchmark (NaN for Bernoulli and binomial fits).
    public let phi: [Double]
    /// The likelihood of one response.
    public let response: ResponseModel
    /// The calibrated models' abilities: the default population of interest
    /// and the source of the scoring prior.
    public let populationTheta: [Double]
    /// Item index by id.
    public let indexByID: [String: Int]
    /// Item indices of every benchmark, in item order.
    public let itemsOfBenchmark: [[Int]]
    /// The scoring prior: a normal with the mean and standard deviation of
    /// the calibrated abilities (N(0, 1) when there are fewer than two).
    public let prior: AbilityPrior
    /// How the fit treated Beta responses within ε of 0 or 1; scoring does the same.
    public let betaTails: BetaTails
    /// Censored Beta banks: the information about μ per benchmark.
    let censoredInformation: [CensoredBetaTable]

    /// - Throws: `SelectionError` when the arrays disagree in length, the
    ///   benchmark indices are out of range, or a Beta bank lacks a finite φ.
    public init(ids: [String], benchmarkOfItem: [Int], benchmarkNames: [String], a: [Double], d: [Double], g: [Double],
                phi: [Double], response: ResponseModel, populationTheta: [Double], betaTails: BetaTails = .clamped) throws {
        let n = ids.count
        guard benchmarkOfItem.count == n, a.count == n, d.count == n, g.count == n else {
            throw SelectionError("item bank: expected \(n) benchmarks, a, d and g (one per item id); found \(benchmarkOfItem.count), \(a.count), \(d.count), \(g.count)")
        }
        guard phi.count == benchmarkNames.count else {
            throw SelectionError("item bank: expected one φ per benchmark (\(benchmarkNames.count)); found \(phi.count)")
        }
        if let bad = benchmarkOfItem.firstIndex(where: { $0 < 0 || $0 >= benchmarkNames.count }) {
            throw SelectionError("item bank: item \(ids[bad]) has benchmark index \(benchmarkOfItem[bad]); expected 0..<\(benchmarkNames.count)")
        }
        if response == .beta, let b = phi.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw SelectionError("item bank: benchmark \(benchmarkNames[b]) has Beta precision \(phi[b]); a Beta fit needs a positive φ per benchmark")
        }
        self.ids = ids; self.benchmarkOfItem = benchmarkOfItem; self.benchmarkNames = benchmarkNames
        self.a = a; self.d = d; self.g = g; self.phi = phi; self.response = response
        self.populationTheta = populationTheta.filter { $0.isFinite }
        var index: [String: Int] = [:]
        index.reserveCapacity(n)
        for (j, id) in ids.enumerated() where index[id] == nil { index[id] = j }
        indexByID = index
        var groups = [[Int]](repeating: [], count: benchmarkNames.count)
        for j in 0..<n { groups[benchmarkOfItem[j]].append(j) }
        itemsOfBenchmark = groups
        self.betaTails = betaTails
        censoredInformation = response == .beta && betaTails == .censored ? phi.map { CensoredBetaTable(phi: $0) } : []
        let t = self.populationTheta
        if t.count >= 2 {
            let mean = t.reduce(0, +) / Double(t.count)
            let variance = t.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(t.count - 1)
            prior = AbilityPrior(mean: mean, sd: max(variance.squareRoot(), 1e-3))
        } else {
            prior = AbilityPrior(mean: 0, sd: 1)
        }
    }

    /// The bank of a fit output file. Needs K = 1: the information, the
    /// scoring and the adaptive test are written for one ability.
    public init(fit: FitResult, path: String, betaTails: BetaTails = .clamped) throws {
        guard fit.dims == 1 else {
            throw StoreError(file: path, field: "/models/theta",
                             message: "selection, scoring, CAT and item diagnostics need a one-dimensional fit (K = 1); found K = \(fit.dims)")
        }
        guard let response = ResponseModel(rawValue: fit.attributes.response) else {
            throw StoreError(file: path, field: "@response", message: "expected beta, bernoulli or binomial, found \"\(fit.attributes.response)\"")
        }
        var position: [String: Int] = [:]
        for (b, name) in fit.benchmarkNames.enumerated() { position[name] = b }
        var benchmarkOfItem = [Int](repeating: 0, count: fit.itemIDs.count)
        for (j, name) in fit.itemBenchmarks.enumerated() {
            guard let b = position[name] else {
                throw StoreError(file: path, field: "/items/benchmark",
                                 message: "item \(fit.itemIDs[j]) names benchmark \"\(name)\", which is not in /benchmarks/name")
            }
            benchmarkOfItem[j] = b
        }
        if response == .beta, let b = fit.phi.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw StoreError(file: path, field: "/benchmarks/phi",
                             message: "benchmark \(fit.benchmarkNames[b]) has φ = \(fit.phi[b]); a Beta fit needs a positive precision per benchmark")
        }
        try self.init(ids: fit.itemIDs, benchmarkOfItem: benchmarkOfItem, benchmarkNames: fit.benchmarkNames,
                      a: fit.a, d: fit.d, g: fit.g, phi: fit.phi, response: response, populationTheta: fit.theta,
                      betaTails: betaTails)
    }

    /// Reads a fit output file and its bank, including the optional root
    /// attribute `beta_tails` (`clamped`, the default, or `censored`).
    public static func read(fit path: String) throws -> (fit: FitResult, bank: ItemBank) {
        let fit = try FitResult.read(path)
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        var tails = BetaTails.clamped
        if let text = try file.stringAttribute(BetaTails.attribute) {
            guard let value = BetaTails(rawValue: text) else {
                throw StoreError(file: path, field: "@" + BetaTails.attribute, message: "expected clamped or censored, found \"\(text)\"")
            }
            tails = value
        }
        return (fit, try ItemBank(fit: fit, path: path, betaTails: tails))
    }

    public var count: Int { ids.count }
    public var benchmarkCount: Int { benchmarkNames.count }

    /// Whether the item's parameters are usable at all (finite a, d, g).
    @inlinable
    public func isUsable(_ j: Int) -> Bool { a[j].isFinite && d[j].isFinite && g[j].isFinite && g[j] >= 0 && g[j] < 1 }

    /// Whether the item measures the ability in the right direction: usable
    /// with a > 0. Selection and adaptive testing only administer such items;
    /// an item with a ≤ 0 is broken (see `ItemDiagnostics`) and is scored
    /// by prediction only.
    @inlinable
    public func isInformative(_ j: Int) -> Bool { isUsable(j) && a[j] > 0 }

    /// Difficulty b = −d/a: the ability at which P is halfway between g and 1.
    @inlinable
    public func difficulty(_ j: Int) -> Double { -d[j] / a[j] }

    /// P(success) of item j at ability θ.
    @inlinable
    public func probability(_ j: Int, _ theta: Double) -> Double {
        ItemResponse(eta: a[j] * theta + d[j], floor: g[j]).p
    }

    /// φ of item j's benchmark (NaN unless Beta).
    @inlinable
    public func precision(_ j: Int) -> Double { phi[benchmarkOfItem[j]] }

    /// Fisher information about θ of one response to item j at θ (one
    /// trial) under the likelihood the scoring uses: `ItemInformation.fisher`,
    /// or for a censored Beta bank the censored-response information
    /// (`CensoredBeta.meanInformation`, tabulated).
    public func information(_ j: Int, _ theta: Double) -> Double {
        guard !censoredInformation.isEmpty else {
            return ItemInformation.fisher(theta: theta, a: a[j], d: d[j], g: g[j], response: response, phi: precision(j))
        }
        let r = ItemResponse(eta: a[j] * theta + d[j], floor: g[j])
        return a[j] * a[j] * r.slope * r.slope * censoredInformation[benchmarkOfItem[j]].information(mu: r.p)
    }
}

/// What a Beta fit did with responses within ε = 1e-4 of 0 or 1, which have
/// no Beta density.
///
/// Why it matters here: a new model must be scored with the likelihood its
/// items were calibrated with, or it lands on a slightly different ability
/// scale. `irsl fit` clamps such responses to ε and 1 − ε and uses the
/// density there (`clamped`). That biases the parameters of highly
/// discriminating items, whose responses are clamped most often; a fit that
/// treats them as censored, log P(Y ≤ ε) (`CensoredBeta`), does not, and
/// says so with the root attribute `beta_tails = "censored"`.
public enum BetaTails: String, Sendable {
    case clamped, censored
    /// The optional root attribute of a fit output file.
    public static let attribute = "beta_tails"
}

/// A request that cannot be carried out: the message says which input or
/// option is wrong and what was expected.
public struct SelectionError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}
