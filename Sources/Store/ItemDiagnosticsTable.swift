import Foundation

/// `irsl items` output (diagnostics.csv, header `columns`): the report needs the item id and
/// its flags (`;`-separated, empty when none). Only `item` and `flags` are
/// required; `benchmark` is used when present.
public struct ItemDiagnosticsTable: CSVReadable {
    /// The header `irsl items` writes (the reader needs only `item` and `flags`).
    public static let columns = ["item", "benchmark", "a", "d", "g", "b", "a_se", "d_se", "mean_response", "observations",
                                 "infit", "outfit", "infit_z", "outfit_z", "flags"]

    public var path: String
    /// Flags per item id (items without flags included, with an empty list).
    public var flags: [String: [String]]
    /// Items in file order.
    public var items: [String]

    public init(path: String, flags: [String: [String]], items: [String]) {
        self.path = path; self.flags = flags; self.items = items
    }

    public static func parse(_ csv: CSVTable) throws -> ItemDiagnosticsTable {
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
