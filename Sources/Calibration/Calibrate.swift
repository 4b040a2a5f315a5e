import MessagePassing
import IRT
import Store

/// What one calibration fits: this rank's block of model rows (all of them
/// in one process) and the items' fixed attributes.
public struct CalibrationData {
    /// Checked and prepared for the likelihood (`Shard.prepare`).
    public var shard: Shard
    /// Models over every rank (the shard's rows when there is one rank).
    public var totalModels: Int
    public var itemIDs: [String]
    /// Benchmarks numbered by first appearance: the φ of every item.
    public var benchmarks: BenchmarkIndex
    /// Fixed lower asymptote of every item.
    public var floors: [Double]

    /// A shard already read and prepared (`irsl fit` and cross-validation, one per rank).
    /// - Parameter floors: nil for g = 0.
    public init(shard: Shard, totalModels: Int, itemIDs: [String], itemBenchmarks: [String], floors: [Double]?) {
        self.shard = shard
        self.totalModels = totalModels
        self.itemIDs = itemIDs
        benchmarks = BenchmarkIndex(itemBenchmarks: itemBenchmarks)
        self.floors = floors ?? [Double](repeating: 0, count: itemIDs.count)
    }

    /// An in-memory matrix of every model (one process: `evaluate-subset`,
    /// `backtest`): its entries are checked and prepared as the fit prepares
    /// a shard (Beta responses clamped), errors naming `path`.
    /// - Parameters:
    ///   - matrix: [rows × items] raw responses, NaN = missing; `trials` the same layout or nil.
    ///   - floors: nil for g = 0.
    public init(matrix: [Float], trials: [Float]?, rows: Int, itemIDs: [String], itemBenchmarks: [String],
                floors: [Double]?, response: ResponseModel, path: String) throws {
        var shard = Shard(rowStart: 0, rows: rows, items: itemIDs.count, responses: matrix, trials: trials)
        try shard.prepare(for: response, path: path, itemIDs: itemIDs)
        self.init(shard: shard, totalModels: rows, itemIDs: itemIDs, itemBenchmarks: itemBenchmarks, floors: floors)
    }
}

/// Where a caller steps into a calibration, on every rank.
public struct CalibrationHooks {
    /// Once the starting values are set, before the first iteration: restore a checkpoint, print notes.
    public var start: (Calibrator) throws -> Void
    /// After every iteration (the CLI prints rank 0's line).
    public var progress: (IterationReport) -> Void
    /// At every iteration boundary that did not converge: take a checkpoint; true stops the fit (interrupted).
    public var boundary: (_ calibrator: Calibrator, _ iteration: Int) throws -> Bool

    public init(start: @escaping (Calibrator) throws -> Void = { _ in },
                progress: @escaping (IterationReport) -> Void = { _ in },
                boundary: @escaping (_ calibrator: Calibrator, _ iteration: Int) throws -> Bool = { _, _ in false }) {
        self.start = start; self.progress = progress; self.boundary = boundary
    }
}

/// A finished (or interrupted) calibration: the calibrator's final state and how the fit ended.
public struct CalibrationResult {
    /// The fitted state, for what only some callers need: standard errors,
    /// abilities gathered over ranks, the parameter count, checkpoints.
    public let calibrator: Calibrator
    public let summary: FitSummary
    public let itemIDs: [String]
    public let benchmarks: BenchmarkIndex

    /// This rank's abilities, [rows × K] (every model's with one rank).
    public var theta: [Double] { calibrator.theta }
    public var items: ItemParameters { calibrator.items }

    /// The items as every consumer views them (`select`, `score`, `law`,
    /// `report`); φ is NaN unless the likelihood has a precision.
    public var calibratedItems: CalibratedItems {
        let items = calibrator.items, response = calibrator.options.response
        return CalibratedItems(dims: items.dims, itemIDs: itemIDs, a: items.a, d: items.d, g: items.g,
                               benchmarkOfItem: benchmarks.ofItem, benchmarkNames: benchmarks.names,
                               phi: response.hasPrecision ? items.phi : [Double](repeating: .nan, count: benchmarks.count),
                               response: response)
    }
}

/// The one way to run a calibration, in memory or distributed: `irsl fit`,
/// `evaluate-subset`, `backtest` and cross-validation all come here. Every
/// rank calls it with its own shard; the item parameters come out identical
/// on every rank. The data is consumed: the calibrator holds its only copy.
public func calibrate(_ data: consuming CalibrationData, options: FitOptions,
                      comm: Communicator = SerialCommunicator(), hooks: CalibrationHooks = CalibrationHooks()) throws -> CalibrationResult {
    let itemIDs = data.itemIDs, benchmarks = data.benchmarks
    let calibrator = Calibrator(options: options, comm: comm, totalModels: data.totalModels, shard: data.shard,
                                floors: data.floors, benchmarkOfItem: benchmarks.ofItem.map(Int32.init),
                                benchmarkCount: benchmarks.count)
    try hooks.start(calibrator)
    let summary = try calibrator.fit(progress: hooks.progress) { try hooks.boundary(calibrator, $0) }
    return CalibrationResult(calibrator: calibrator, summary: summary, itemIDs: itemIDs, benchmarks: benchmarks)
}
