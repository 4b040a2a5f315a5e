import Foundation
import IRT
import Store

/// A response file read block by block, with its columns matched to a
/// bank's items by id.
///
/// Why by id: the models to score were evaluated after the fit, often on a
/// file with a different column order, fewer questions (a subset run) or
/// extra ones; ids are what the two files share. Unmatched file columns are
/// ignored; bank items the file lacks read as missing. Rows are delivered in
/// bank order, so everything downstream indexes items the same way, and the
/// file is read in blocks of rows so it never has to fit in memory.
public struct ResponseSource {
    public let path: String
    public let info: ResponseFileInfo
    /// The file column of each bank item, or -1.
    public let columnOfItem: [Int]
    /// Bank items present in the file.
    public let matchedItems: Int
    /// Whether `/trials` is read (binomial banks with a `/trials` matrix).
    public let readsTrials: Bool

    public init(path: String, bank: ItemBank) throws {
        self.path = path
        info = try ResponseFileInfo.read(path)
        var firstColumn: [String: Int] = [:]
        for (c, id) in info.itemIDs.enumerated() where firstColumn[id] == nil { firstColumn[id] = c }
        columnOfItem = bank.ids.map { firstColumn[$0] ?? -1 }
        matchedItems = columnOfItem.filter { $0 >= 0 }.count
        guard matchedItems > 0 else {
            let sample = info.itemIDs.prefix(3).joined(separator: ", ")
            throw StoreError(file: path, field: ResponseLayout.itemIDs,
                             message: "no item id matches the fit's items (file ids start \(sample); fit ids start \(bank.ids.prefix(3).joined(separator: ", ")))")
        }
        readsTrials = bank.response.needsTrials && info.hasTrials
    }

    /// Calls `body(rows, responses, trials)` for consecutive blocks of rows;
    /// `responses` is [rows × bank items] in bank order (NaN = missing or
    /// not in the file), `trials` likewise when `readsTrials`. Every value
    /// is checked: NaN or in [0, 1], and a positive trial count where a
    /// response is present.
    public func forEachBlock(rowsPerBlock: Int? = nil, _ body: (Range<Int>, [Float], [Float]?) throws -> Void) throws {
        let m = info.models, cols = info.items, n = columnOfItem.count
        let block = max(1, rowsPerBlock ?? ((1 << 22) / max(cols + n, 1)))
        let file = try H5File(path, mode: .readOnly)
        defer { file.close() }
        var raw = [Float](repeating: .nan, count: min(block, m) * cols)
        var rawTrials = [Int32](repeating: 0, count: readsTrials ? min(block, m) * cols : 0)
        for start in stride(from: 0, to: m, by: block) {
            let rows = start..<min(start + block, m)
            try raw.withUnsafeMutableBufferPointer {
                try file.readRows(ResponseLayout.responses, rowStart: start, rowCount: rows.count,
                                  into: UnsafeMutableBufferPointer(rebasing: $0[0..<(rows.count * cols)]))
            }
            if readsTrials {
                try rawTrials.withUnsafeMutableBufferPointer {
                    try file.readRows(ResponseLayout.trials, rowStart: start, rowCount: rows.count,
                                      into: UnsafeMutableBufferPointer(rebasing: $0[0..<(rows.count * cols)]))
                }
            }
            var mapped = [Float](repeating: .nan, count: rows.count * n)
            var mappedTrials: [Float]? = readsTrials ? [Float](repeating: 0, count: rows.count * n) : nil
            for r in 0..<rows.count {
                for j in 0..<n {
                    let c = columnOfItem[j]
                    guard c >= 0 else { continue }
                    let y = raw[r * cols + c]
                    if y.isNaN { continue }
                    guard y >= 0, y <= 1 else {
                        throw StoreError(file: path, field: ResponseLayout.responses,
                                         message: "entry [\(start + r), \(c)] (item \(info.itemIDs[c])) is \(y); expected a value in [0, 1] or NaN for missing")
                    }
                    if readsTrials {
                        let t = rawTrials[r * cols + c]
                        guard t >= 1 else {
                            throw StoreError(file: path, field: ResponseLayout.trials,
                                             message: "entry [\(start + r), \(c)] is \(t); expected a positive trial count where a response is present")
                        }
                        mappedTrials![r * n + j] = Float(t)
                    }
                    mapped[r * n + j] = y
                }
            }
            try body(rows, mapped, mappedTrials)
        }
    }

    /// The observations of row `r` of a block, restricted to `allowed` items when given.
    public static func observations(_ responses: [Float], _ trials: [Float]?, row r: Int, items n: Int,
                                    allowed: [Bool]? = nil) -> [Observation] {
        var out: [Observation] = []
        for j in 0..<n {
            let y = responses[r * n + j]
            if y.isNaN { continue }
            if let allowed, !allowed[j] { continue }
            out.append(Observation(item: j, y: Double(y), trials: trials.map { Double($0[r * n + j]) } ?? 1))
        }
        return out
    }
}

/// The items of a subset CSV (`irsl select` output; only the `item` column
/// is required), as bank indices in file order.
public func readSubset(_ path: String, bank: ItemBank) throws -> [Int] {
    let table = try CSVTable(path: path)
    let ids = try table.column("item")
    var seen = Set<Int>()
    var out: [Int] = []
    for (i, id) in ids.enumerated() {
        guard let j = bank.indexByID[id] else {
            throw StoreError(file: path, field: "item", message: "line \(i + 2): item '\(id)' is not an item of the fit")
        }
        if seen.insert(j).inserted { out.append(j) }
    }
    guard !out.isEmpty else { throw StoreError(file: path, field: "item", message: "expected at least one item, found none") }
    return out
}
