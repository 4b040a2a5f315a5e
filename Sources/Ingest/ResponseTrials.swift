import Store

extension ResponseMatrixWriter {
    /// Writes `/trials`: the samples behind each entry (0 where missing),
    /// int32 `[M, N]` like `/responses`, one row per model in file order
    /// (rows shorter than the item count are padded with 0). Only new files
    /// get here (`ResponseFileTarget` refuses to append to a file with
    /// `/trials`), so every row is this ingest's; the rows are kept until the
    /// end because the item count is known only then.
    func writeTrials(_ rows: [[Int32]]) throws {
        let m = modelNames.count, n = catalog.count
        guard rows.count == m else {
            throw IngestError(file: file.path, message: "internal: \(rows.count) rows of trials for \(m) models")
        }
        try file.createMatrix(ResponseLayout.trials, type: .int32, rows: m, cols: n,
                              chunkRows: ResponseLayout.defaultChunkRows(items: n))
        var full = [Int32](repeating: 0, count: n)
        for (r, row) in rows.enumerated() {
            for j in 0..<n { full[j] = j < row.count ? row[j] : 0 }
            try full.withUnsafeBufferPointer {
                try file.writeRows(ResponseLayout.trials, rowStart: r, rowCount: 1, ints: $0)
            }
        }
    }
}
