import Foundation
import Store

/// `irsl items` output (diagnostics.csv): the report needs the item id and
/// its flags (`;`-separated, empty when none). Only `item` and `flags` are
/// required; `benchmark` is used when present.
public struct ItemDiagnosticsTable {
    public var path: String
    /// Flags per item id (items without flags included, with an empty list).
    public var flags: [String: [String]]
    /// Items in file order.
    public var items: [String]

    public init(path: String, flags: [String: [String]], items: [String]) {
        self.path = path; self.flags = flags; self.items = items
    }

    public static func read(_ path: String) throws -> ItemDiagnosticsTable {
        try parse(CSVRecords(path: path))
    }

    public static func parse(_ csv: CSVRecords) throws -> ItemDiagnosticsTable {
        let what = "diagnostics of irsl items"
        let item = try csv.requiredColumn("item", purpose: what)
        let flagColumn = try csv.requiredColumn("flags", purpose: what)
        var flags: [String: [String]] = [:], items: [String] = []
        for r in csv.rows.indices {
            let id = csv.text(r, item)
            guard !id.isEmpty else {
                throw StoreError(file: csv.path, field: "column item, line \(csv.lines[r])", message: "empty item id")
            }
            let list = csv.text(r, flagColumn).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if flags[id] == nil { items.append(id) }
            flags[id] = list
        }
        return ItemDiagnosticsTable(path: csv.path, flags: flags, items: items)
    }

    /// Items with at least one flag.
    public var flagged: Set<String> { Set(flags.filter { !$0.value.isEmpty }.keys) }
}

/// `irsl select` output (subset.csv): `item,benchmark,a,d,g,info`. The item
/// id is required; the parameters are used for items the fit does not know.
public struct SubsetTable {
    public struct Row: Equatable {
        public var item: String
        public var benchmark: String?
        public var a: Double, d: Double, g: Double
    }
    public var path: String
    public var rows: [Row]

    public init(path: String, rows: [Row]) { self.path = path; self.rows = rows }

    public static func read(_ path: String) throws -> SubsetTable {
        try parse(CSVRecords(path: path))
    }

    public static func parse(_ csv: CSVRecords) throws -> SubsetTable {
        let item = try csv.requiredColumn("item", purpose: "the selected items of irsl select")
        let benchmark = csv.column("benchmark"), a = csv.column("a"), d = csv.column("d"), g = csv.column("g")
        var rows: [Row] = []
        for r in csv.rows.indices {
            let id = csv.text(r, item)
            guard !id.isEmpty else {
                throw StoreError(file: csv.path, field: "column item, line \(csv.lines[r])", message: "empty item id")
            }
            rows.append(Row(item: id, benchmark: benchmark.map { csv.text(r, $0) },
                            a: try a.map { try csv.number(r, $0) } ?? .nan,
                            d: try d.map { try csv.number(r, $0) } ?? .nan,
                            g: try g.map { try csv.number(r, $0) } ?? 0))
        }
        return SubsetTable(path: csv.path, rows: rows)
    }

    public var itemIDs: Set<String> { Set(rows.map(\.item)) }
}
