import CSV
import Foundation

/// A CSV file read whole: a header row and records, cells as text. The one
/// CSV reader of irsl's small tables (splits, subsets, forecasts,
/// diagnostics, covariates, populations); parsing is yaslab/CSV.swift's.
///
/// The rules, the same for every file kind:
/// - RFC 4180 quoting (quoted fields may hold commas, doubled quotes and
///   line breaks), `\n`, `\r\n` or `\r` line ends, a UTF-8 byte-order mark
///   skipped, blank lines ignored.
/// - Header names are trimmed of spaces and looked up **case-insensitively**
///   (`Name`, ` name ` and `NAME` all find `name`), so files from pandas,
///   spreadsheets and hand edits read alike.
/// - A number cell that is empty, `NA`, `null` or `nan` (any case) is
///   missing (NaN, how `CSVWriter` writes NaN and pandas writes NA);
///   `inf`, `+inf`, `infinity`, `-inf`, `-infinity` are infinite; anything
///   else that is not a number is an error.
/// - Line numbers are the physical line a record starts on (the header is
///   line 1), counted past blank lines and line breaks inside quotes.
/// - Every error names the file, the column and the line
///   (`file: column X, line L: expected …, found '…'`).
public struct CSVTable: Sendable {
    public let path: String
    /// Header names, trimmed of spaces.
    public let header: [String]
    /// Data records, each with exactly `header.count` fields (untrimmed).
    public let rows: [[String]]
    /// The line each record starts on.
    public let lines: [Int]

    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(file: path, field: "", message: "cannot read the CSV file (missing or unreadable)")
        }
        try self.init(data: data, path: path)
    }

    /// The bytes of a CSV file (`path` names it in errors): UTF-8 text, else an error.
    public init(data: Data, path: String) throws {
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError(file: path, field: "", message: "not UTF-8 text; expected a CSV file")
        }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String) throws {
        self.path = path
        var body = text
        if body.unicodeScalars.first == "\u{FEFF}" { body.unicodeScalars.removeFirst() }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: false)
        } catch {
            throw StoreError(file: path, field: "", message: "cannot read the CSV text: \(error)")
        }
        var records: [[String]] = [], starts: [Int] = []
        var line = 1
        while let record = reader.next() {
            let blank = record.count == 1 && record[0].trimmingCharacters(in: .whitespaces).isEmpty
            if !blank { records.append(record); starts.append(line) }
            line += 1 + record.reduce(0) { $0 + CSVTable.lineBreaks(in: $1) }
        }
        if let error = reader.error {
            throw StoreError(file: path, field: "line \(line)", message: "cannot read the CSV text: \(error)")
        }
        guard let first = records.first else {
            throw StoreError(file: path, field: "", message: "empty; expected a header line and records")
        }
        header = first.map { $0.trimmingCharacters(in: .whitespaces) }
        for (r, l) in zip(records.dropFirst(), starts.dropFirst()) where r.count != header.count {
            throw StoreError(file: path, field: "line \(l)", message: "expected \(header.count) fields like the header, found \(r.count)")
        }
        rows = Array(records.dropFirst())
        lines = Array(starts.dropFirst())
    }

    /// Line breaks inside a (quoted) field: `\r\n`, `\n` and a lone `\r` each count once.
    static func lineBreaks(in field: String) -> Int {
        var count = 0, previousCR = false
        for c in field.unicodeScalars {
            if c == "\n" { if !previousCR { count += 1 } } else if c == "\r" { count += 1 }
            previousCR = c == "\r"
        }
        return count
    }

    /// Index of the first header equal to one of `names` (case-insensitive), or nil.
    public func columnIndex(_ names: [String]) -> Int? {
        for n in names {
            if let i = header.firstIndex(where: { $0.lowercased() == n.lowercased() }) { return i }
        }
        return nil
    }

    public func columnIndex(_ names: String...) -> Int? { columnIndex(names) }

    public func hasColumn(_ name: String) -> Bool { columnIndex([name]) != nil }

    /// Index of a required column (any of `names`); the error names the
    /// file, what was expected (and what for) and the header found.
    public func requiredColumn(_ names: [String], purpose: String? = nil) throws -> Int {
        guard let i = columnIndex(names) else {
            let wanted = names.map { "'\($0)'" }.joined(separator: " or ")
            throw StoreError(file: path, field: "column \(names[0])",
                             message: "missing column; expected a header with \(wanted)\(purpose.map { " (\($0))" } ?? ""), found \(header.joined(separator: ","))")
        }
        return i
    }

    public func requiredColumn(_ names: String..., purpose: String? = nil) throws -> Int {
        try requiredColumn(names, purpose: purpose)
    }

    /// `column X, line L`: where a cell is, for error messages.
    public func location(_ row: Int, _ column: Int) -> String {
        "column \(header[column]), line \(lines[row])"
    }

    /// An error about one cell, naming the file, the column and the line.
    public func error(_ row: Int, _ column: Int, _ message: String) -> StoreError {
        StoreError(file: path, field: location(row, column), message: message)
    }

    /// The text of a cell, trimmed of spaces.
    public func text(_ row: Int, _ column: Int) -> String {
        rows[row][column].trimmingCharacters(in: .whitespaces)
    }

    /// A number cell under the missing-value rules above.
    public func number(_ row: Int, _ column: Int) throws -> Double {
        let t = text(row, column)
        switch t.lowercased() {
        case "", "na", "null", "nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default:
            guard let v = Double(t) else {
                throw error(row, column, "expected a number or an empty cell, found '\(t)'")
            }
            return v
        }
    }

    /// The trimmed cells of a required column.
    public func column(_ name: String) throws -> [String] {
        let c = try requiredColumn([name])
        return rows.indices.map { text($0, c) }
    }

    /// A required numeric column.
    public func doubles(_ name: String) throws -> [Double] {
        let c = try requiredColumn([name])
        return try rows.indices.map { try number($0, c) }
    }
}

/// One of irsl's own CSV outputs with a typed reader (subsets, forecasts,
/// item diagnostics): `parse` checks a table's columns and values, and `read`
/// is the same for every kind, the one CSV reader then `parse`, so every kind
/// follows CSVTable's rules for missing values and line numbers.
public protocol CSVReadable {
    static func parse(_ csv: CSVTable) throws -> Self
}

extension CSVReadable {
    public static func read(_ path: String) throws -> Self {
        try parse(CSVTable(path: path))
    }
}
