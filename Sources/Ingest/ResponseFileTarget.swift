import Foundation
import Store

/// Opens the response file an ingest writes to, new or appended, so that
/// the file at the output path is always complete: either the old one or
/// the finished new one, never a half-written mix.
///
/// * New file: written to a temporary file and renamed (`writeAtomically`).
/// * Append to a file with extendible datasets (any file ingest wrote):
///   the file is copied and the copy grown in place (`updateAtomically`):
///   new rows and columns are written, existing ones are neither read nor
///   rewritten, so memory stays one row plus the O(M + N) metadata.
/// * Append to a file with fixed-size datasets (`irsl simulate` output,
///   h5py files written without `maxshape`): HDF5 cannot grow those, so
///   the file is rewritten block by block (a few MB of rows at a time) into
///   the extendible layout, then appended to, and the caller is told.
///   `/truth` (a simulation's generating parameters) is not carried over:
///   it cannot describe the appended models.
public enum ResponseFileTarget {
    public enum Outcome: String {
        case created
        case appended
        case rewritten = "rewritten into an extendible layout and appended"
    }

    /// Runs `body` with a writer for `output`, then writes the metadata
    /// and puts the file in place. With `append`, an existing `output`
    /// keeps its models and items (and must hold `kind` responses); a
    /// missing one is created. With `append`, the whole read-modify-write
    /// holds the exclusive lock on `"<output>.lock"` (`FileLock`); a process
    /// that has to wait says so on standard error.
    @discardableResult
    public static func write(output: String, kind: ResponseKind, append: Bool,
                             log: (String) -> Void = { _ in },
                             _ body: (ResponseMatrixWriter) throws -> Void) throws -> Outcome {
        guard append else { return try writeUnlocked(output: output, kind: kind, append: false, log: log, body) }
        // The whole read-modify-write holds the lock on `output.lock`, so
        // concurrent appends (a Slurm array) take turns and none is lost.
        return try withExclusiveLock(on: output) {
            try writeUnlocked(output: output, kind: kind, append: true, log: log, body)
        }
    }

    /// `write` once the lock (if any) is held.
    private static func writeUnlocked(output: String, kind: ResponseKind, append: Bool, log: (String) -> Void,
                                      _ body: (ResponseMatrixWriter) throws -> Void) throws -> Outcome {
        guard append, FileManager.default.fileExists(atPath: output) else {
            try writeAtomically(output) { file in
                let writer = ResponseMatrixWriter(newFile: file, kind: kind, label: output)
                try body(writer)
                try writer.finish()
            }
            return .created
        }
        let info = try ResponseFileInfo.read(output)
        guard info.kind == kind else {
            throw IngestError(file: output, location: "@response_kind",
                              message: "the file holds \(info.kind.rawValue) responses; cannot append \(kind.rawValue) ones "
                                + "(choose the same --response, or write a new file)")
        }
        guard !info.hasTrials else {
            throw IngestError(file: output, location: ResponseLayout.trials,
                              message: "the file has /trials (successes out of trials); ingest appends binary or probability answers only")
        }
        if try isExtendible(output, info: info) {
            try updateAtomically(output) { file in
                let writer = try ResponseMatrixWriter(appendingTo: file, info: info, label: output)
                try body(writer)
                try writer.finish()
            }
            return .appended
        }
        log("\(output): its datasets are fixed-size (as irsl simulate writes them), so appending rewrites it "
            + "block by block into an extendible layout" + (try hasTruth(output) ? "; /truth is dropped (it cannot cover new models)" : ""))
        try writeAtomically(output) { file in
            try rewrite(output, info: info, into: file)
            let writer = try ResponseMatrixWriter(appendingTo: file, info: info, label: output)
            try body(writer)
            try writer.finish()
        }
        return .rewritten
    }

    /// Whether `/responses` and every metadata array can grow.
    public static func isExtendible(_ path: String, info: ResponseFileInfo) throws -> Bool {
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        guard try file.isExtendible(ResponseLayout.responses) else { return false }
        for array in metadataArrays where file.exists(array) {
            guard try file.isExtendible(array) else { return false }
        }
        return true
    }

    static let metadataArrays = [
        ResponseLayout.modelNames, ResponseLayout.modelFamilies, ResponseLayout.modelParams,
        ResponseLayout.modelTokens, ResponseLayout.modelFlops, ResponseLayout.itemIDs,
        ResponseLayout.itemBenchmarks, ResponseLayout.itemFloor,
    ]

    private static func hasTruth(_ path: String) throws -> Bool {
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        return file.exists("/truth")
    }

    /// Copies the response file at `source` into `file` with extendible
    /// datasets: the matrix block by block (about 16 MB of rows at a time),
    /// the metadata arrays whole (they are O(M + N)), the covariate unit
    /// attributes, and `response_kind`.
    static func rewrite(_ source: String, info: ResponseFileInfo, into file: H5File) throws {
        let input = try H5File(source, mode: .readOnly)
        defer { input.close() }
        let (m, n) = (info.models, info.items)
        let chunk = ResponseMatrixWriter.chunkShape(columns: n)
        try file.createExtendibleMatrix(ResponseLayout.responses, rows: m, cols: n,
                                        chunkRows: chunk.rows, chunkCols: chunk.cols)
        // Blocks of whole destination chunk bands, about 16 MB each.
        let band = chunk.rows
        try file.copyRows(ResponseLayout.responses, from: input,
                          rowsPerBlock: max(band, ((4 << 20) / max(n, 1)) / band * band))
        try writeResponseMetadataArrays(file, info: info, extendible: true)
        for path in [ResponseLayout.modelParams, ResponseLayout.modelTokens, ResponseLayout.modelFlops]
            where input.exists(path) {
            for name in ["units", "source_column"] {
                if let text = try input.stringAttribute(name, on: path) { try file.setAttribute(name, text, on: path) }
            }
            if let scale = try input.doubleAttribute("scale", on: path) { try file.setAttribute("scale", scale, on: path) }
        }
        try file.setAttribute(ResponseLayout.kindAttribute, info.kind.rawValue)
    }
}

