import Foundation
import Store

/// A CSV file read defensively for the report: RFC 4180 quoting (commas,
/// doubled quotes and line breaks inside quotes), `\n` or `\r\n` line ends,
/// an optional UTF-8 byte-order mark, blank lines skipped, and columns found
/// by header name (case-insensitive, surrounding spaces ignored), never by
/// position, so files with extra or reordered columns still read. Errors
/// name the file, the column and the line (the header is line 1).
public struct CSVRecords {
    public let path: String
    public let header: [String]
    /// Data records, each with `header.count` fields.
    public let rows: [[String]]
    /// The line each record starts on.
    public let lines: [Int]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(file: path, field: "", message: "cannot read the CSV file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StoreError(file: path, field: "", message: "not UTF-8 text; expected a CSV file")
        }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String) throws {
        self.path = path
        var records: [[String]] = [], starts: [Int] = []
        var record: [String] = [], field = ""
        var quoted = false, started = false, line = 1, recordLine = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        func endRecord() {
            record.append(field)
            let blank = record.count == 1 && record[0].trimmingCharacters(in: .whitespaces).isEmpty
            if !blank { records.append(record); starts.append(recordLine) }
            record = []; field = ""; started = false
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && !started {
                quoted = true; started = true
            } else if c == "," {
                record.append(field); field = ""; started = false
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1; recordLine = line
            } else {
                field.unicodeScalars.append(c); started = true
            }
            i += 1
        }
        if quoted {
            throw StoreError(file: path, field: "line \(recordLine)", message: "a quoted field is not closed before the end of the file")
        }
        if started || !field.isEmpty || !record.isEmpty { endRecord() }
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

    /// Index of the first header matching one of `names` (case-insensitive).
    public func column(_ names: String...) -> Int? {
        for n in names {
            if let i = header.firstIndex(where: { $0.lowercased() == n.lowercased() }) { return i }
        }
        return nil
    }

    /// Like `column`, but a missing column is an error naming what was expected.
    public func requiredColumn(_ name: String, purpose: String) throws -> Int {
        guard let i = column(name) else {
            throw StoreError(file: path, field: "header",
                             message: "expected a '\(name)' column (\(purpose)), found \(header.joined(separator: ","))")
        }
        return i
    }

    /// The trimmed text of a cell.
    public func text(_ row: Int, _ column: Int) -> String {
        rows[row][column].trimmingCharacters(in: .whitespaces)
    }

    /// A number cell: empty, "nan" or "NA" is NaN; "inf"/"-inf" are infinite;
    /// anything else that is not a number is an error naming column and line.
    public func number(_ row: Int, _ column: Int) throws -> Double {
        let t = text(row, column)
        switch t.lowercased() {
        case "", "nan", "na", "null": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default:
            guard let v = Double(t) else {
                throw StoreError(file: path, field: "column \(header[column]), line \(lines[row])",
                                 message: "expected a number, found \"\(t)\"")
            }
            return v
        }
    }
}
