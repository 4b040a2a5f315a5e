import Foundation

/// What the numbers in `/responses` mean, declared by the root attribute
/// `response_kind`; it decides the likelihood the fit uses.
public enum ResponseKind: String, CaseIterable {
    /// 0/1 outcomes (one sample per entry): Bernoulli likelihood.
    case binary
    /// Probabilities or scores in [0, 1] (e.g. mean accuracy over unknown samples): Beta likelihood.
    case probability
    /// successes / trials with `/trials` giving the trials: binomial likelihood.
    case proportion
}

/// The dataset and attribute names of the input response file (docs/format.md),
/// in one place so the simulator, ingest and fit agree on them.
public enum ResponseLayout {
    public static let responses = "/responses"
    public static let trials = "/trials"
    public static let modelNames = "/models/name"
    public static let modelFamilies = "/models/family"
    public static let modelParams = "/models/params"
    public static let modelTokens = "/models/tokens"
    public static let modelFlops = "/models/flops"
    public static let itemIDs = "/items/id"
    public static let itemBenchmarks = "/items/benchmark"
    public static let itemFloor = "/items/floor"
    public static let kindAttribute = "response_kind"
    public static let likelihoodAttribute = "likelihood"

    /// Rows per chunk so one chunk is about 4 MiB of float32 (at least one row):
    /// large enough for efficient I/O, small enough that a rank whose row range
    /// starts mid-chunk reads little it does not need.
    public static func defaultChunkRows(items: Int) -> Int {
        max(1, (4 << 20) / max(1, items * 4))
    }
}

/// Everything about a response file except the matrix itself (O(M+N) memory).
///
/// Every rank reads this first, cheaply, to learn the shape and names; the
/// matrix itself is then read by row blocks (`H5File.readRows`). `read`
/// validates the whole contract of docs/format.md so a broken ingest fails
/// up front with a message naming the file, the field and what was expected,
/// instead of deep inside a distributed fit.
public struct ResponseFileInfo {
    /// The file this was read from (or will be written to).
    public var path: String
    /// M: rows of `/responses`.
    public var models: Int
    /// N: columns of `/responses`.
    public var items: Int
    public var kind: ResponseKind
    /// Whether `/trials` is present.
    public var hasTrials: Bool
    /// `/models/name` [M].
    public var modelNames: [String]
    /// `/models/family` [M], nil when absent.
    public var families: [String]?
    /// `/models/params` [M] (NaN where unknown), nil when absent.
    public var params: [Double]?
    /// `/models/tokens` [M] (NaN where unknown), nil when absent.
    public var tokens: [Double]?
    /// `/models/flops` [M] (NaN where unknown), nil when absent.
    public var flops: [Double]?
    /// `/items/id` [N].
    public var itemIDs: [String]
    /// `/items/benchmark` [N].
    public var benchmarks: [String]
    /// `/items/floor` [N] (chance level, in [0, 1)), nil when absent.
    public var floor: [Double]?
    /// Root attribute `likelihood`, nil when absent: the distribution that
    /// generated the entries when the writer knows it (the simulator does),
    /// which `irsl fit --response auto` then uses instead of the kind's default.
    public var likelihood: String?

    public init(path: String, models: Int, items: Int, kind: ResponseKind, hasTrials: Bool,
                modelNames: [String], families: [String]? = nil, params: [Double]? = nil,
                tokens: [Double]? = nil, flops: [Double]? = nil,
                itemIDs: [String], benchmarks: [String], floor: [Double]? = nil) {
        self.path = path
        self.models = models
        self.items = items
        self.kind = kind
        self.hasTrials = hasTrials
        self.modelNames = modelNames
        self.families = families
        self.params = params
        self.tokens = tokens
        self.flops = flops
        self.itemIDs = itemIDs
        self.benchmarks = benchmarks
        self.floor = floor
    }

    /// Distinct benchmarks in order of first appearance in `benchmarks`: the
    /// order of per-benchmark arrays such as `/truth/phi` and `/benchmarks/*`.
    public var benchmarkNames: [String] {
        var seen = Set<String>()
        return benchmarks.filter { seen.insert($0).inserted }
    }

    /// Reads and validates the metadata of the response file at `path`:
    /// `/responses` is a 2-D numeric matrix [M, N]; name arrays have M
    /// entries, item arrays N; `response_kind` is valid; `/trials`, when
    /// present, has the same shape; `proportion` requires `/trials`.
    public static func read(_ path: String) throws -> ResponseFileInfo {
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        let check = Validator(file: file)

        // The matrix: only its shape and type are read here.
        let responses = ResponseLayout.responses
        guard file.exists(responses) else {
            throw check.error(responses, "missing; expected a 2-D float32 dataset [models, items]")
        }
        let shape = try file.shape(responses)
        guard shape.count == 2 else {
            throw check.error(responses, "expected a 2-D float32 dataset, found rank \(shape.count)")
        }
        let type = try file.storedType(responses)
        guard type.isNumeric else {
            throw check.error(responses, "expected a 2-D float32 dataset, found \(type.description)")
        }
        let (m, n) = (shape[0], shape[1])

        let kindText = try file.stringAttribute(ResponseLayout.kindAttribute)
        let kindField = "@" + ResponseLayout.kindAttribute
        let allowed = ResponseKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let kindText else {
            throw check.error(kindField, "missing root attribute; expected one of \(allowed)")
        }
        guard let kind = ResponseKind(rawValue: kindText) else {
            throw check.error(kindField, "expected one of \(allowed), found \"\(kindText)\"")
        }

        let hasTrials = file.exists(ResponseLayout.trials)
        if hasTrials {
            let trialsShape = try file.shape(ResponseLayout.trials)
            guard trialsShape == [m, n] else {
                throw check.error(ResponseLayout.trials,
                                  "expected shape [\(m), \(n)] like /responses, found \(trialsShape)")
            }
            let trialsType = try file.storedType(ResponseLayout.trials)
            guard trialsType.isNumeric else {
                throw check.error(ResponseLayout.trials, "expected an int32 matrix, found \(trialsType.description)")
            }
        } else if kind == .proportion {
            throw check.error(ResponseLayout.trials, "missing; response_kind \"proportion\" requires /trials")
        }

        let rowsNote = "one per row of /responses"
        let colsNote = "one per column of /responses"
        let modelNames = try check.strings(ResponseLayout.modelNames, count: m, note: rowsNote)
        let families = try check.optionalStrings(ResponseLayout.modelFamilies, count: m, note: rowsNote)
        let params = try check.optionalDoubles(ResponseLayout.modelParams, count: m, note: rowsNote)
        let tokens = try check.optionalDoubles(ResponseLayout.modelTokens, count: m, note: rowsNote)
        let flops = try check.optionalDoubles(ResponseLayout.modelFlops, count: m, note: rowsNote)
        let itemIDs = try check.strings(ResponseLayout.itemIDs, count: n, note: colsNote)
        let benchmarks = try check.strings(ResponseLayout.itemBenchmarks, count: n, note: colsNote)
        let floor = try check.optionalDoubles(ResponseLayout.itemFloor, count: n, note: colsNote)
        if let floor, let bad = floor.firstIndex(where: { !($0 >= 0 && $0 < 1) }) {
            throw check.error(ResponseLayout.itemFloor,
                              "expected chance levels in [0, 1), found \(floor[bad]) at item \(bad)")
        }

        var info = ResponseFileInfo(path: path, models: m, items: n, kind: kind, hasTrials: hasTrials,
                                    modelNames: modelNames, families: families, params: params,
                                    tokens: tokens, flops: flops, itemIDs: itemIDs,
                                    benchmarks: benchmarks, floor: floor)
        info.likelihood = try file.stringAttribute(ResponseLayout.likelihoodAttribute)
        return info
    }
}

/// Writes the metadata part of a response file: every name and covariate
/// array and the `response_kind` attribute, everything except the
/// `/responses` and `/trials` matrices. The simulator and ingest share it so
/// both produce exactly the documented layout; they then create the
/// matrices (`createResponseMatrices` or `H5File.createMatrix`) and write rows.
/// Array lengths are checked against `info.models` / `info.items` first.
public func writeResponseMetadata(_ file: H5File, info: ResponseFileInfo) throws {
    func check(_ field: String, _ count: Int?, _ expected: Int, _ note: String) throws {
        if let count, count != expected {
            throw StoreError(file: file.label, field: field,
                             message: "expected \(expected) values (\(note)), found \(count)")
        }
    }
    let rows = "one per model", cols = "one per item"
    try check(ResponseLayout.modelNames, info.modelNames.count, info.models, rows)
    try check(ResponseLayout.modelFamilies, info.families?.count, info.models, rows)
    try check(ResponseLayout.modelParams, info.params?.count, info.models, rows)
    try check(ResponseLayout.modelTokens, info.tokens?.count, info.models, rows)
    try check(ResponseLayout.modelFlops, info.flops?.count, info.models, rows)
    try check(ResponseLayout.itemIDs, info.itemIDs.count, info.items, cols)
    try check(ResponseLayout.itemBenchmarks, info.benchmarks.count, info.items, cols)
    try check(ResponseLayout.itemFloor, info.floor?.count, info.items, cols)
    if info.kind == .proportion && !info.hasTrials {
        throw StoreError(file: file.label, field: ResponseLayout.trials,
                         message: "response_kind \"proportion\" requires /trials (set hasTrials)")
    }

    try writeResponseMetadataArrays(file, info: info, extendible: false)
    try file.setAttribute(ResponseLayout.kindAttribute, info.kind.rawValue)
    if let likelihood = info.likelihood { try file.setAttribute(ResponseLayout.likelihoodAttribute, likelihood) }
}

/// The name and covariate arrays of `info` (models' names, families,
/// params, tokens, FLOPs; items' ids, benchmarks, floors), without checks or
/// attributes: fixed-size for a new file, or `extendible` for a file that
/// ingest will grow by appending. One list, so both kinds of file hold the
/// same datasets.
public func writeResponseMetadataArrays(_ file: H5File, info: ResponseFileInfo, extendible: Bool) throws {
    func strings(_ path: String, _ values: [String]?) throws {
        guard let values else { return }
        if extendible { try file.createExtendible(path, strings: values) } else { try file.write(path, strings: values) }
    }
    func doubles(_ path: String, _ values: [Double]?) throws {
        guard let values else { return }
        if extendible { try file.createExtendible(path, doubles: values) } else { try file.write(path, doubles: values) }
    }
    try strings(ResponseLayout.modelNames, info.modelNames)
    try strings(ResponseLayout.modelFamilies, info.families)
    try doubles(ResponseLayout.modelParams, info.params)
    try doubles(ResponseLayout.modelTokens, info.tokens)
    try doubles(ResponseLayout.modelFlops, info.flops)
    try strings(ResponseLayout.itemIDs, info.itemIDs)
    try strings(ResponseLayout.itemBenchmarks, info.benchmarks)
    try doubles(ResponseLayout.itemFloor, info.floor)
}

/// Creates the empty `/responses` float32 matrix (all NaN = missing) and,
/// when `info.hasTrials`, the `/trials` int32 matrix (all 0), both
/// [models, items] chunked by row blocks, ready for `H5File.writeRows`.
public func createResponseMatrices(_ file: H5File, info: ResponseFileInfo, chunkRows: Int? = nil) throws {
    let chunkRows = chunkRows ?? ResponseLayout.defaultChunkRows(items: info.items)
    try file.createMatrix(ResponseLayout.responses, type: .float32,
                          rows: info.models, cols: info.items, chunkRows: chunkRows)
    if info.hasTrials {
        try file.createMatrix(ResponseLayout.trials, type: .int32,
                              rows: info.models, cols: info.items, chunkRows: chunkRows)
    }
}

/// Reads named arrays and checks their type and length, producing
/// `StoreError`s that say what the format expects.
private struct Validator {
    let file: H5File

    func error(_ field: String, _ message: String) -> StoreError {
        StoreError(file: file.label, field: field, message: message)
    }

    func strings(_ field: String, count: Int, note: String) throws -> [String] {
        guard file.exists(field) else {
            throw error(field, "missing; expected \(count) strings (\(note))")
        }
        return try optionalStrings(field, count: count, note: note)!
    }

    func optionalStrings(_ field: String, count: Int, note: String) throws -> [String]? {
        guard file.exists(field) else { return nil }
        let shape = try file.shape(field)
        let type = try file.storedType(field)
        guard type.isString, shape.count == 1 else {
            throw error(field, "expected a 1-D string dataset, found \(describe(type, shape))")
        }
        guard shape[0] == count else {
            throw error(field, "expected \(count) strings (\(note)), found \(shape[0])")
        }
        return try file.readStrings(field)
    }

    func optionalDoubles(_ field: String, count: Int, note: String) throws -> [Double]? {
        guard file.exists(field) else { return nil }
        let shape = try file.shape(field)
        let type = try file.storedType(field)
        guard type.isNumeric, shape.count == 1 else {
            throw error(field, "expected a 1-D float64 dataset, found \(describe(type, shape))")
        }
        guard shape[0] == count else {
            throw error(field, "expected \(count) values (\(note)), found \(shape[0])")
        }
        return try file.readDoubles(field)
    }

    private func describe(_ type: H5File.StoredType, _ shape: [Int]) -> String {
        shape.count == 1 ? type.description : "\(type.description) of rank \(shape.count)"
    }
}
