import Foundation
import Store

/// A small RFC 4180 CSV reader for the law's inputs (`--models FILE.csv`,
/// `--split SPLIT.csv`).
///
/// Why here and not a package: this module's dependencies are fixed
/// (IRT, Store, Calibration, Distributed), and these files are a few hundred
/// lines at most. Quoted fields may hold commas, doubled quotes and line
/// breaks; `\r\n` and `\n` both end a record; a UTF-8 byte-order mark is
/// skipped; blank lines are ignored. Header names are matched
/// case-insensitively after trimming spaces, and every error names the file,
/// the column and the line (1-based, the header is line 1).
public struct CSVTable {
    public let path: String
    /// Header names as written.
    public let header: [String]
    /// Data records; every record has exactly `header.count` fields.
    public let rows: [[String]]
    /// Line number of each record, for error messages.
    public let lines: [Int]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(file: path, field: "", message: "cannot read the CSV file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError(file: path, field: "", message: "not UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String) throws {
        self.path = path
        var records: [[String]] = [], recordLines: [Int] = []
        var field = "", record: [String] = []
        var inQuotes = false, line = 1, recordLine = 1, fieldStarted = false
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        func endRecord() {
            record.append(field)
            if !(record.count == 1 && record[0].trimmingCharacters(in: .whitespaces).isEmpty) {
                records.append(record); recordLines.append(recordLine)
            }
            record = []; field = ""; fieldStarted = false
        }
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 }
                    else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && !fieldStarted {
                inQuotes = true; fieldStarted = true
            } else if c == "," {
                record.append(field); field = ""; fieldStarted = false
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1; recordLine = line
            } else {
                field.unicodeScalars.append(c); fieldStarted = true
            }
            i += 1
        }
        if inQuotes {
            throw StoreError(file: path, field: "line \(recordLine)", message: "a quoted field is not closed before the end of the file")
        }
        if fieldStarted || !field.isEmpty || !record.isEmpty { endRecord() }
        guard let first = records.first else {
            throw StoreError(file: path, field: "", message: "empty; expected a header line and records")
        }
        header = first.map { $0.trimmingCharacters(in: .whitespaces) }
        for (r, l) in zip(records.dropFirst(), recordLines.dropFirst()) where r.count != header.count {
            throw StoreError(file: path, field: "line \(l)", message: "expected \(header.count) fields like the header, found \(r.count)")
        }
        rows = Array(records.dropFirst())
        lines = Array(recordLines.dropFirst())
    }

    /// Index of the first column whose name is one of `names` (case-insensitive), or nil.
    public func columnIndex(_ names: [String]) -> Int? {
        let wanted = Set(names.map { $0.lowercased() })
        return header.firstIndex { wanted.contains($0.lowercased()) }
    }

    /// Index of a required column; the error lists the header found.
    public func requiredColumn(_ names: [String]) throws -> Int {
        guard let i = columnIndex(names) else {
            throw StoreError(file: path, field: "column \(names[0])",
                             message: "missing; expected a header with \(names.map { "'\($0)'" }.joined(separator: " or ")), found \(header.joined(separator: ","))")
        }
        return i
    }

    /// The number in `column` of record `row`: NaN for an empty cell; an error
    /// naming the line and column for text that is not a number.
    public func number(row: Int, column: Int) throws -> Double {
        let text = rows[row][column].trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.lowercased() == "nan" { return .nan }
        guard let v = Double(text) else {
            throw StoreError(file: path, field: "column \(header[column]), line \(lines[row])",
                             message: "expected a number or an empty cell, found '\(text)'")
        }
        return v
    }
}
