import Foundation
import Store

/// What is known about a model besides its answers (a row's `/models/*` entries).
public struct ModelMetadata {
    public var name: String
    public var family: String?
    public var params: Double?
    public var tokens: Double?
    public var flops: Double?

    public init(name: String, family: String? = nil, params: Double? = nil, tokens: Double? = nil, flops: Double? = nil) {
        self.name = name
        self.family = family
        self.params = params
        self.tokens = tokens
        self.flops = flops
    }
}

/// Units of a covariate column, recorded as attributes on `/models/params`,
/// `/models/tokens` or `/models/flops` so the numbers keep the meaning the
/// source gave them (ingest never rescales: a table in billions stays in
/// billions, and says so).
public struct CovariateUnits: Equatable {
    /// How the source states the unit, e.g. "billions" (from "#Params (B)").
    public var units: String
    /// The factor turning a stored value into a plain count (1e9 for billions), when known.
    public var scale: Double?
    /// The column the values came from.
    public var sourceColumn: String

    public init(units: String, scale: Double?, sourceColumn: String) {
        self.units = units
        self.scale = scale
        self.sourceColumn = sourceColumn
    }
}

/// Writes a response file a model (row) at a time, growing the matrix as
/// new models and new items arrive, into an open HDF5 file laid out with
/// extendible datasets (see `H5File+Extendible`).
///
/// Why rows at a time: ingest cannot know the full set of items until every
/// export has been read, and must not hold the matrix (models × items can
/// exceed memory). So each model's row is written as soon as its files are
/// read, the matrix's column count grows when a model brings new items
/// (earlier rows read NaN there: missing), and the O(M + N) metadata is
/// written once, by `finish`. Memory is one row plus the metadata.
public final class ResponseMatrixWriter {
    public let file: H5File
    public let kind: ResponseKind
    /// The items so far (existing ones first when appending).
    public var catalog: ItemCatalog
    /// Model names so far (existing ones first when appending).
    public private(set) var modelNames: [String] = []
    public private(set) var newModels: [String] = []
    public private(set) var replacedModels: [String] = []
    /// Models and items the file had before this run.
    public let existingModels: Int
    public let existingItems: Int

    private var families: [String] = []
    private var params: [Double] = []
    private var tokens: [Double] = []
    private var flops: [Double] = []
    private var hasFamilies = false, hasParams = false, hasTokens = false, hasFlops = false
    /// Which metadata datasets the file already holds (append: only their tails are written).
    private var present: Set<String> = []
    private var rowOfModel: [String: Int] = [:]
    private var matrixShape: (rows: Int, cols: Int)?
    private var units: [String: CovariateUnits] = [:]
    private let label: String

    /// A writer for a new, empty file.
    public init(newFile file: H5File, kind: ResponseKind, label: String) {
        self.file = file
        self.kind = kind
        self.catalog = ItemCatalog()
        self.existingModels = 0
        self.existingItems = 0
        self.label = label
    }

    /// A writer appending to `file`, whose metadata is `info` and whose
    /// datasets are extendible (`ResponseFileTarget` rewrites files that are not).
    public init(appendingTo file: H5File, info: ResponseFileInfo, label: String) throws {
        self.file = file
        self.kind = info.kind
        self.label = label
        catalog = try ItemCatalog(ids: info.itemIDs, benchmarks: info.benchmarks, floors: info.floor, source: label)
        modelNames = info.modelNames
        for (row, name) in info.modelNames.enumerated() {
            if rowOfModel[name] != nil {
                throw IngestError(file: label, location: ResponseLayout.modelNames,
                                  message: "model \"\(name)\" appears twice; cannot tell which row to keep")
            }
            rowOfModel[name] = row
        }
        existingModels = info.models
        existingItems = info.items
        matrixShape = (info.models, info.items)
        if let f = info.families { families = f; hasFamilies = true }
        if let p = info.params { params = p; hasParams = true }
        if let t = info.tokens { tokens = t; hasTokens = true }
        if let f = info.flops { flops = f; hasFlops = true }
        if families.isEmpty { families = Array(repeating: "", count: info.models) }
        if params.isEmpty { params = Array(repeating: .nan, count: info.models) }
        if tokens.isEmpty { tokens = Array(repeating: .nan, count: info.models) }
        if flops.isEmpty { flops = Array(repeating: .nan, count: info.models) }
        for path in [ResponseLayout.modelNames, ResponseLayout.modelFamilies, ResponseLayout.modelParams,
                     ResponseLayout.modelTokens, ResponseLayout.modelFlops, ResponseLayout.itemIDs,
                     ResponseLayout.itemBenchmarks, ResponseLayout.itemFloor] where file.exists(path) {
            present.insert(path)
        }
        for (path, _) in ResponseMatrixWriter.covariates {
            if file.exists(path), let text = try file.stringAttribute("units", on: path) {
                units[path] = CovariateUnits(units: text, scale: try file.doubleAttribute("scale", on: path),
                                             sourceColumn: try file.stringAttribute("source_column", on: path) ?? "")
            }
        }
    }

    private static let covariates = [(ResponseLayout.modelParams, "params"), (ResponseLayout.modelTokens, "tokens"),
                                     (ResponseLayout.modelFlops, "flops")]

    /// Whether the file already holds a model of this name.
    public func contains(model name: String) -> Bool { rowOfModel[name] != nil }

    /// Records the units of a covariate (`/models/params`, `/models/tokens` or
    /// `/models/flops`); when appending, they must match what the file says.
    public func setUnits(_ new: CovariateUnits, for path: String) throws {
        if let old = units[path], old.units != new.units || old.scale != new.scale {
            throw IngestError(file: label, location: "\(path)@units",
                              message: "the file stores \(path) in \(old.units), but column \"\(new.sourceColumn)\" is in \(new.units); convert one of them first")
        }
        units[path] = new
    }

    /// Writes one model's row. `values[j]` is the answer to `catalog` item
    /// `j` (NaN = not answered); it may be shorter than the catalog (the
    /// rest is missing). A model already in the file is an error unless
    /// `replace`, which overwrites its whole row (items it no longer has
    /// become missing) and keeps its metadata.
    public func addModel(_ model: ModelMetadata, values: [Float], replace: Bool) throws {
        guard !model.name.isEmpty else {
            throw IngestError(file: label, message: "a model has an empty name")
        }
        let row: Int
        if let existing = rowOfModel[model.name] {
            if existing >= existingModels || replacedModels.contains(model.name) {
                throw IngestError(file: label, message: "model \"\(model.name)\" is given twice in this run")
            }
            guard replace else {
                throw IngestError(file: label, message: "model \"\(model.name)\" is already in the file (row \(existing)); "
                                  + "use --replace to overwrite its answers")
            }
            row = existing
            replacedModels.append(model.name)
            if let f = model.family { families[row] = f; hasFamilies = true }
            if let p = model.params { params[row] = p; hasParams = true }
            if let t = model.tokens { tokens[row] = t; hasTokens = true }
            if let f = model.flops { flops[row] = f; hasFlops = true }
        } else {
            row = modelNames.count
            rowOfModel[model.name] = row
            modelNames.append(model.name)
            newModels.append(model.name)
            families.append(model.family ?? "")
            params.append(model.params ?? .nan)
            tokens.append(model.tokens ?? .nan)
            flops.append(model.flops ?? .nan)
            if model.family != nil { hasFamilies = true }
            if model.params != nil { hasParams = true }
            if model.tokens != nil { hasTokens = true }
            if model.flops != nil { hasFlops = true }
        }
        guard values.count <= catalog.count else {
            throw IngestError(file: label, message: "internal: a row of \(values.count) values for \(catalog.count) items")
        }
        try writeRow(row, values)
    }

    private func writeRow(_ row: Int, _ values: [Float]) throws {
        let cols = catalog.count
        if matrixShape == nil {
            let chunk = ResponseMatrixWriter.chunkShape(columns: cols)
            try file.createExtendibleMatrix(ResponseLayout.responses, rows: 0, cols: 0,
                                            chunkRows: chunk.rows, chunkCols: chunk.cols)
            matrixShape = (0, 0)
        }
        let shape = matrixShape!
        let target = (rows: max(shape.rows, row + 1), cols: max(shape.cols, cols))
        if target != shape {
            try file.extend(ResponseLayout.responses, to: [target.rows, target.cols])
            matrixShape = target
        }
        var full = values
        if full.count < target.cols {
            full.append(contentsOf: repeatElement(Float.nan, count: target.cols - full.count))
        }
        try full.withUnsafeBufferPointer {
            try file.writeRows(ResponseLayout.responses, rowStart: row, rowCount: 1, floats: $0)
        }
    }

    /// Chunks of about 1 MiB: `cols` columns wide (at least 1,024 so a
    /// matrix that later grows wide does not end up with tiny chunks, at
    /// most 8,192) and as many rows as fit.
    public static func chunkShape(columns: Int) -> (rows: Int, cols: Int) {
        let cols = min(max(columns, 1024), 8192)
        let rows = min(max((1 << 18) / cols, 1), 1024)
        return (rows, cols)
    }

    /// Writes the metadata (new files: everything; appended files: the new
    /// entries, and arrays that appear for the first time) and the
    /// `response_kind` attribute. Call once, after the last row.
    public func finish() throws {
        guard !modelNames.isEmpty else {
            throw IngestError(file: label, message: "no model to write")
        }
        if matrixShape == nil || matrixShape!.cols < catalog.count {
            // Items but no (wide enough) rows yet can only happen when appending; grow for consistency.
            if matrixShape == nil {
                let chunk = ResponseMatrixWriter.chunkShape(columns: catalog.count)
                try file.createExtendibleMatrix(ResponseLayout.responses, rows: 0, cols: 0,
                                                chunkRows: chunk.rows, chunkCols: chunk.cols)
                matrixShape = (0, 0)
            }
            try file.extend(ResponseLayout.responses, to: [modelNames.count, catalog.count])
        }
        try strings(ResponseLayout.modelNames, modelNames, existing: existingModels, always: true)
        try strings(ResponseLayout.modelFamilies, families, existing: existingModels, always: hasFamilies)
        try doubles(ResponseLayout.modelParams, params, existing: existingModels, always: hasParams)
        try doubles(ResponseLayout.modelTokens, tokens, existing: existingModels, always: hasTokens)
        try doubles(ResponseLayout.modelFlops, flops, existing: existingModels, always: hasFlops)
        try strings(ResponseLayout.itemIDs, catalog.ids, existing: existingItems, always: true)
        try strings(ResponseLayout.itemBenchmarks, catalog.benchmarks, existing: existingItems, always: true)
        try doubles(ResponseLayout.itemFloor, catalog.floors, existing: existingItems, always: catalog.hasFloors)
        for (path, u) in units where file.exists(path) {
            try file.setAttribute("units", u.units, on: path)
            if let scale = u.scale { try file.setAttribute("scale", scale, on: path) }
            if !u.sourceColumn.isEmpty { try file.setAttribute("source_column", u.sourceColumn, on: path) }
        }
        try file.setAttribute(ResponseLayout.kindAttribute, kind.rawValue)
    }

    /// A metadata string array: appended to when present (replaced rows
    /// never change names), created whole when new and wanted.
    private func strings(_ path: String, _ values: [String], existing: Int, always: Bool) throws {
        if present.contains(path) {
            if path == ResponseLayout.modelFamilies && !replacedModels.isEmpty {
                try rewriteReplaced(path, strings: values)
            }
            try file.append(path, strings: Array(values[existing...]))
        } else if always {
            try file.createExtendible(path, strings: values)
        }
    }

    private func doubles(_ path: String, _ values: [Double], existing: Int, always: Bool) throws {
        if present.contains(path) {
            if path.hasPrefix("/models/") && !replacedModels.isEmpty {
                try rewriteReplaced(path, doubles: values)
            }
            try file.append(path, doubles: Array(values[existing...]))
        } else if always {
            try file.createExtendible(path, doubles: values)
        }
    }

    /// Metadata of replaced models may have changed: rewrite their entries in place.
    private func rewriteReplaced(_ path: String, strings values: [String]) throws {
        for name in replacedModels {
            let row = rowOfModel[name]!
            try file.overwrite(path, at: row, strings: [values[row]])
        }
    }

    private func rewriteReplaced(_ path: String, doubles values: [Double]) throws {
        for name in replacedModels {
            let row = rowOfModel[name]!
            try file.overwrite(path, at: row, doubles: [values[row]])
        }
    }
}
