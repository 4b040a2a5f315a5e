import Foundation
import Store

/// A small CSV file read whole: a header row and records, RFC 4180 quoting
/// (the dialect `CSVWriter` produces and pandas writes), cells as text.
///
/// Why here: the subset, split and population files the selection tools
/// read are tiny (one row per item or model) and their errors must name the
/// file, the column and the line, which a generic reader would not do.
public struct CSVTable {
    public let path: String
    public let header: [String]
    /// Records after the header; record i is line i + 2 of the file.
    public let rows: [[String]]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(file: path, field: "", message: "cannot read the file")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), path: path)
    }

    public init(text: String, path: String) throws {
        self.path = path
        var records = CSVTable.parse(text)
        while let last = records.last, last.count == 1, last[0].isEmpty { records.removeLast() }
        guard let first = records.first else {
            throw StoreError(file: path, field: "", message: "empty file; expected a header row")
        }
        header = first.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = Array(records.dropFirst())
        for (i, r) in rows.enumerated() where r.count != header.count {
            throw StoreError(file: path, field: "line \(i + 2)", message: "expected \(header.count) fields like the header, found \(r.count)")
        }
    }

    public func hasColumn(_ name: String) -> Bool { header.contains(name) }

    /// The cells of a column; the error lists the columns the file has.
    public func column(_ name: String) throws -> [String] {
        guard let c = header.firstIndex(of: name) else {
            throw StoreError(file: path, field: name, message: "missing column; the header has \(header.joined(separator: ","))")
        }
        return rows.map { $0[c] }
    }

    /// A numeric column; an empty cell is NaN (how `CSVWriter` writes NaN).
    public func doubles(_ name: String) throws -> [Double] {
        try column(name).enumerated().map { i, cell in
            let t = cell.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return .nan }
            guard let v = Double(t) else {
                throw StoreError(file: path, field: name, message: "line \(i + 2): expected a number, found '\(cell)'")
            }
            return v
        }
    }

    /// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks.
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        var i = chars.startIndex
        while i < chars.endIndex {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.endIndex && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 }
                    else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r" && i + 1 < chars.endIndex && chars[i + 1] == "\n" { i += 1 }
                record.append(field); field = ""
                records.append(record); record = []
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }
}
