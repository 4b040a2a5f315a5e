import Foundation

/// `irsl select` output (subset.csv): `item,benchmark,a,d,g,info`, written
/// by `csv()` and read by `read`. Only the item id is required on reading
/// (hand-made subsets work); the parameters are used for items the fit does
/// not know, NaN (g: 0) when absent.
public struct SubsetTable: Sendable, CSVReadable {
    public struct Row: Equatable, Sendable {
        public var item: String
        public var benchmark: String?
        public var a: Double, d: Double, g: Double
        /// The item's information over the population (NaN when absent).
        public var info: Double

        public init(item: String, benchmark: String?, a: Double, d: Double, g: Double, info: Double = .nan) {
            self.item = item; self.benchmark = benchmark; self.a = a; self.d = d; self.g = g; self.info = info
        }
    }
    public static let columns = ["item", "benchmark", "a", "d", "g", "info"]

    public var path: String
    public var rows: [Row]
    /// The line of each row in the file (empty for a table built in memory).
    public var lines: [Int]

    public init(path: String, rows: [Row], lines: [Int] = []) { self.path = path; self.rows = rows; self.lines = lines }

    public static func parse(_ csv: CSVTable) throws -> SubsetTable {
        let item = try csv.requiredColumn("item", purpose: "the selected items of irsl select")
        let benchmark = csv.columnIndex("benchmark"), a = csv.columnIndex("a"), d = csv.columnIndex("d")
        let g = csv.columnIndex("g"), info = csv.columnIndex("info")
        var rows: [Row] = []
        for r in csv.rows.indices {
            let id = csv.text(r, item)
            guard !id.isEmpty else { throw csv.error(r, item, "empty item id") }
            rows.append(Row(item: id, benchmark: benchmark.map { csv.text(r, $0) },
                            a: try a.map { try csv.number(r, $0) } ?? .nan,
                            d: try d.map { try csv.number(r, $0) } ?? .nan,
                            g: try g.map { try csv.number(r, $0) } ?? 0,
                            info: try info.map { try csv.number(r, $0) } ?? .nan))
        }
        return SubsetTable(path: csv.path, rows: rows, lines: csv.lines)
    }

    /// The file's text: `columns`, then one record per row (NaN empty).
    public func csv() -> String {
        var w = CSVWriter()
        w.row(SubsetTable.columns)
        for r in rows {
            w.row([r.item, r.benchmark ?? ""] + [r.a, r.d, r.g, r.info].map(CSVWriter.number))
        }
        return w.text
    }

    public var itemIDs: Set<String> { Set(rows.map(\.item)) }
}
