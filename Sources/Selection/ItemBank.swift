import Calibration
import Foundation
import IRT
import Store

/// The view of the calibrated items (Store's `CalibratedItems`) that
/// selection, scoring, adaptive testing and the diagnostics work from: the
/// items' parameters (a [N × K], d, g), benchmarks, Beta precision and
/// likelihood, plus what these tools add: the calibrated models' abilities
/// (the population), the scoring prior, an index by id, and the censored
/// Beta information tables.
///
/// K = 1 and K > 1: the scalar members (`a`, `probability(_:_:)`,
/// `information(_:_:)`, `prior`) are the one-dimensional model and are
/// what every K = 1 path uses, unchanged. A K > 1 bank is used through the
/// vector members (`loadings`, `eta(_:at:)`, `informationWeight`,
/// `abilityPrior`; `MultidimensionalAbility`, `ItemBank+Dimensions.swift`).
///
/// Why a view rather than `CalibratedItems` itself: the same tools run on a
/// fit read from disk (`irsl select`, `score`, `cat`, `items`) and on a fit
/// made in-process on training models (`irsl evaluate-subset`); this is
/// what both have in common, checked once (K = 1, a known likelihood,
/// finite φ for Beta), with the derived tables built once.
public struct ItemBank: Sendable {
    /// The items, as every other tool sees them.
    public let items: CalibratedItems
    /// Item ids, as in `/items/id`.
    public var ids: [String] { items.itemIDs }
    /// Benchmark index of each item (into `benchmarkNames`).
    public var benchmarkOfItem: [Int] { items.benchmarkOfItem }
    /// Benchmarks in order of first appearance.
    public var benchmarkNames: [String] { items.benchmarkNames }
    /// Discriminations: [N] when K = 1; the loadings [N × K] row-major when K > 1.
    public var a: [Double] { items.a }
    /// Ability dimensions K.
    public var dims: Int { items.dims }
    /// Intercepts; η = a θ + d.
    public var d: [Double] { items.d }
    /// Lower asymptotes (floors).
    public var g: [Double] { items.g }
    /// Beta precision per benchmark (NaN for Bernoulli and binomial fits).
    public var phi: [Double] { items.phi }
    /// The likelihood of one response.
    public var response: ResponseModel { items.response }
    /// The calibrated models' abilities: the default population of interest
    /// and the source of the scoring prior. [models × K] row-major (rows with
    /// a non-finite entry dropped).
    public let populationTheta: [Double]
    /// Item index by id.
    public let indexByID: [String: Int]
    /// Item indices of every benchmark, in item order.
    public let itemsOfBenchmark: [[Int]]
    /// The scoring prior: a normal with the mean and standard deviation of
    /// the calibrated abilities (N(0, 1) when there are fewer than two).
    /// K > 1: of the first dimension only; the K > 1 paths use `abilityPrior`.
    public let prior: AbilityPrior
    /// The K-dimensional scoring prior N(mean, covariance) of the population
    /// abilities (`MultivariatePrior.population`); for K = 1 the same normal as `prior`.
    public let abilityPrior: MultivariatePrior
    /// How the fit treated Beta responses within ε of 0 or 1; scoring does the same.
    public let betaTails: BetaTails
    /// Censored Beta banks: the information about μ per benchmark.
    let censoredInformation: [CensoredBetaTable]

    /// - Throws: `SelectionError` when the arrays disagree in length, the
    ///   benchmark indices are out of range, or a Beta bank lacks a finite φ.
    public init(ids: [String], benchmarkOfItem: [Int], benchmarkNames: [String], a: [Double], d: [Double], g: [Double],
                phi: [Double], response: ResponseModel, populationTheta: [Double], betaTails: BetaTails = .clamped) throws {
        try self.init(items: CalibratedItems(dims: 1, itemIDs: ids, a: a, d: d, g: g, benchmarkOfItem: benchmarkOfItem,
                                             benchmarkNames: benchmarkNames, phi: phi, response: response),
                      populationTheta: populationTheta, betaTails: betaTails)
    }

    /// The bank of calibrated items (any K; `populationTheta` is [models × K]).
    /// - Throws: `SelectionError` as the memberwise initialiser.
    public init(items: CalibratedItems, populationTheta: [Double], betaTails: BetaTails = .clamped) throws {
        let n = items.itemIDs.count, benchmarkNames = items.benchmarkNames, phi = items.phi, k = items.dims
        guard k >= 1 else { throw SelectionError("item bank: expected K ≥ 1 ability dimensions; found K = \(k)") }
        guard items.benchmarkOfItem.count == n, items.a.count == n * k, items.d.count == n, items.g.count == n else {
            throw SelectionError("item bank: expected \(n) benchmarks, \(n) × \(k) a, and \(n) d and g (one per item id); found \(items.benchmarkOfItem.count), \(items.a.count), \(items.d.count), \(items.g.count)")
        }
        guard populationTheta.count % k == 0 else {
            throw SelectionError("item bank: expected population abilities [models × \(k)]; found \(populationTheta.count) values")
        }
        guard phi.count == benchmarkNames.count else {
            throw SelectionError("item bank: expected one φ per benchmark (\(benchmarkNames.count)); found \(phi.count)")
        }
        if let bad = items.benchmarkOfItem.firstIndex(where: { $0 < 0 || $0 >= benchmarkNames.count }) {
            throw SelectionError("item bank: item \(items.itemIDs[bad]) has benchmark index \(items.benchmarkOfItem[bad]); expected 0..<\(benchmarkNames.count)")
        }
        if items.response.hasPrecision, let b = phi.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw SelectionError("item bank: benchmark \(benchmarkNames[b]) has Beta precision \(phi[b]); a Beta fit needs a positive φ per benchmark")
        }
        self.items = items
        if k == 1 {
            self.populationTheta = populationTheta.filter { $0.isFinite }
        } else {
            self.populationTheta = (0..<(populationTheta.count / k)).flatMap { m -> ArraySlice<Double> in
                let row = populationTheta[(m * k)..<((m + 1) * k)]
                return row.allSatisfy { $0.isFinite } ? row : []
            }
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(n)
        for (j, id) in items.itemIDs.enumerated() where index[id] == nil { index[id] = j }
        indexByID = index
        itemsOfBenchmark = items.itemsOfBenchmark
        self.betaTails = betaTails
        censoredInformation = items.response == .beta && betaTails == .censored ? phi.map { CensoredBetaTable(phi: $0) } : []
        abilityPrior = MultivariatePrior.population(self.populationTheta, dims: k)
        let population = self.populationTheta
        let t = k == 1 ? population : stride(from: 0, to: population.count, by: k).map { population[$0] }
        if t.count >= 2 {
            let mean = t.reduce(0, +) / Double(t.count)
            let variance = t.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(t.count - 1)
            prior = AbilityPrior(mean: mean, sd: max(variance.squareRoot(), 1e-3))
        } else {
            prior = AbilityPrior(mean: 0, sd: 1)
        }
    }

    /// The bank of an in-process calibration (`evaluate-subset`): its items
    /// and its models' abilities as the population.
    public init(calibration: CalibrationResult) throws {
        try self.init(items: calibration.calibratedItems, populationTheta: calibration.theta)
    }

    /// The bank of a fit output file (any K; `/models/theta` is the population).
    public init(fit: FitResult, path: String, betaTails: BetaTails = .clamped) throws {
        guard fit.theta.count == fit.modelNames.count * fit.dims else {
            throw StoreError(file: path, field: "/models/theta",
                             message: "expected \(fit.modelNames.count) × \(fit.dims) abilities (models × K); found \(fit.theta.count)")
        }
        let items = try CalibratedItems(fit: fit, path: path)
        if items.response.hasPrecision, let b = fit.phi.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw StoreError(file: path, field: "/benchmarks/phi",
                             message: "benchmark \(fit.benchmarkNames[b]) has φ = \(fit.phi[b]); a Beta fit needs a positive precision per benchmark")
        }
        try self.init(items: items, populationTheta: fit.theta, betaTails: betaTails)
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
    public func isUsable(_ j: Int) -> Bool {
        guard d[j].isFinite && g[j].isFinite && g[j] >= 0 && g[j] < 1 else { return false }
        return dims == 1 ? a[j].isFinite : loadings(j).allSatisfy { $0.isFinite }
    }

    /// Whether the item measures the ability in the right direction: usable
    /// with a > 0. Selection and adaptive testing only administer such items;
    /// an item with a ≤ 0 is broken (see `ItemDiagnostics`) and is scored
    /// by prediction only. K > 1: usable with some loading > 0 (`isReversed`
    /// is the K > 1 "a ≤ 0").
    @inlinable
    public func isInformative(_ j: Int) -> Bool {
        dims == 1 ? isUsable(j) && a[j] > 0 : isUsable(j) && !isReversed(j)
    }

    /// Difficulty b = −d/a: the ability at which P is halfway between g and 1.
    /// K > 1: the multidimensional difficulty −d/‖a‖ (the signed distance
    /// from the origin to the halfway line, along the loading direction).
    @inlinable
    public func difficulty(_ j: Int) -> Double { dims == 1 ? -d[j] / a[j] : -d[j] / discrimination(j) }

    /// P(success) of item j at ability θ (K = 1).
    @inlinable
    public func probability(_ j: Int, _ theta: Double) -> Double {
        ItemResponse(eta: a[j] * theta + d[j], floor: g[j]).p
    }

    /// φ of item j's benchmark (NaN unless Beta).
    @inlinable
    public func precision(_ j: Int) -> Double { phi[benchmarkOfItem[j]] }

    /// Fisher information about θ of one response to item j at θ (K = 1; one
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
