import Foundation

/// Rows of a response file's `/responses` (and `/trials`), read as blocks
/// of whole rows: the one row reader of irsl, used by the fit's shards,
/// the checkpoint fingerprint, `info`, `evaluate-subset`, `passk`, the
/// dispersion estimate, backtests, the selection tools and `export`.
///
/// Why blocks: `/responses` is chunked by whole rows (docs/format.md), so a
/// contiguous row range is one hyperslab touching only its chunks, and a
/// pass over a file larger than memory needs one block-sized buffer. Values
/// are returned as stored (NaN = missing); checking them for the likelihood
/// is the caller's (`Shard.prepare`, `ResponseSource`).
public final class ResponseRows {
    public let path: String
    public let info: ResponseFileInfo
    /// Whether `/trials` is read alongside.
    public let readsTrials: Bool
    private let file: H5File

    /// Opens `path` for reading. With `trials`, a file without `/trials` is
    /// an error naming the file and `why` the counts are needed.
    public init(path: String, info: ResponseFileInfo, trials: Bool = false,
                why: String = "the binomial likelihood needs trial counts") throws {
        if trials && !info.hasTrials {
            throw StoreError(file: path, field: ResponseLayout.trials, message: "missing; \(why)")
        }
        self.path = path; self.info = info; readsTrials = trials
        file = try H5File(path, mode: .readOnly)
    }

    /// Opens `path`, reading its metadata first.
    public convenience init(path: String, trials: Bool = false) throws {
        try self.init(path: path, info: ResponseFileInfo.read(path), trials: trials)
    }

    public func close() { file.close() }

    /// Rows per block so one block of responses is about `bytes` (16 MiB by default).
    public static func blockRows(items: Int, bytes: Int = 1 << 24) -> Int {
        max(1, bytes / (4 * max(items, 1)))
    }

    /// Rows `rows` into the caller's buffers of exactly `rows.count × N`
    /// values (`trials` is ignored unless `readsTrials`).
    public func read(_ rows: Range<Int>, into responses: UnsafeMutableBufferPointer<Float>,
                     trials: UnsafeMutableBufferPointer<Int32>? = nil) throws {
        guard !rows.isEmpty else { return }
        try file.readRows(ResponseLayout.responses, rowStart: rows.lowerBound, rowCount: rows.count, into: responses)
        if readsTrials, let trials {
            try file.readRows(ResponseLayout.trials, rowStart: rows.lowerBound, rowCount: rows.count, into: trials)
        }
    }

    /// Rows `rows` as new arrays (`trials` nil unless `readsTrials`).
    public func read(_ rows: Range<Int>) throws -> (responses: [Float], trials: [Int32]?) {
        let n = info.items
        var responses = [Float](repeating: .nan, count: rows.count * n)
        var trials: [Int32]? = readsTrials ? [Int32](repeating: 0, count: rows.count * n) : nil
        try responses.withUnsafeMutableBufferPointer { r in
            if trials != nil {
                try trials!.withUnsafeMutableBufferPointer { try read(rows, into: r, trials: $0) }
            } else {
                try read(rows, into: r)
            }
        }
        return (responses, trials)
    }

    /// Calls `body(block, responses, trials)` for consecutive blocks of
    /// `rows` (all rows by default), reusing one buffer; each buffer holds
    /// exactly `block.count × N` values, row-major.
    public func forEachBlock(_ rows: Range<Int>? = nil, rowsPerBlock: Int? = nil,
                             _ body: (Range<Int>, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Int32>?) throws -> Void) throws {
        let range = rows ?? 0..<info.models
        let n = info.items
        let block = max(1, min(rowsPerBlock ?? ResponseRows.blockRows(items: n), max(range.count, 1)))
        var y = [Float](repeating: .nan, count: block * n)
        var t = [Int32](repeating: 0, count: readsTrials ? block * n : 0)
        try y.withUnsafeMutableBufferPointer { yb in
            try t.withUnsafeMutableBufferPointer { tb in
                for start in stride(from: range.lowerBound, to: range.upperBound, by: block) {
                    let part = start..<min(start + block, range.upperBound)
                    let count = part.count * n
                    let ys = UnsafeMutableBufferPointer(rebasing: yb[0..<count])
                    let ts = readsTrials ? UnsafeMutableBufferPointer(rebasing: tb[0..<count]) : nil
                    try read(part, into: ys, trials: ts)
                    try body(part, UnsafeBufferPointer(ys), ts.map { UnsafeBufferPointer($0) })
                }
            }
        }
    }

    /// The listed rows, in the order given (repeats allowed), read block by
    /// block so only blocks holding a wanted row are touched.
    public func rows(_ wanted: [Int]) throws -> (responses: [Float], trials: [Int32]?) {
        let n = info.items
        var responses = [Float](repeating: .nan, count: wanted.count * n)
        var trials: [Int32]? = readsTrials ? [Int32](repeating: 0, count: wanted.count * n) : nil
        for r in wanted where !(0..<info.models).contains(r) {
            throw StoreError(file: path, field: ResponseLayout.responses, message: "row \(r) requested; the file has \(info.models) rows")
        }
        var slots: [Int: [Int]] = [:]
        for (i, r) in wanted.enumerated() { slots[r, default: []].append(i) }
        let sorted = slots.keys.sorted()
        var next = 0
        let block = ResponseRows.blockRows(items: n)
        while next < sorted.count {
            // From the next wanted row to the last wanted row within one block of it.
            var last = next
            while last + 1 < sorted.count, sorted[last + 1] < sorted[next] + block { last += 1 }
            let part = sorted[next]..<(sorted[last] + 1)
            try forEachBlock(part, rowsPerBlock: part.count) { part, y, t in
                while next < sorted.count, part.contains(sorted[next]) {
                    let r = sorted[next] - part.lowerBound
                    for i in slots[sorted[next]]! {
                        for j in 0..<n {
                            responses[i * n + j] = y[r * n + j]
                            if let t { trials![i * n + j] = t[r * n + j] }
                        }
                    }
                    next += 1
                }
            }
        }
        return (responses, trials)
    }
}
