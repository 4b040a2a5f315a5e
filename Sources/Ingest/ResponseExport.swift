import Foundation
import Store

/// `irsl export`: a response file (or a fit's item parameters) in the
/// layouts other IRT tools read, so results can be checked against py-irt
/// or mirt on the same data.
///
/// * `wide-csv`: `model,<item id>,…`, one row per model, empty = missing
///   (what `pandas.read_csv(index_col=0)` and `mirt` take as a data frame).
/// * `long-csv`: `model,item,benchmark,response[,trials]`, answered entries only.
/// * `py-irt-jsonl`: one line per model, `{"subject_id": …, "responses": {item: value}}`.
/// * A fit file: `item,benchmark,a1..aK,d,g,u`, mirt's slope-intercept
///   columns (P = g + (u − g) / (1 + exp(−(a·θ + d))), u = 1), whatever the
///   CSV format; plus, for `wide-csv`/`long-csv`, nothing else.
///
/// The matrix is streamed a row at a time into a temporary file renamed into
/// place (no half-written output).
public enum ResponseExport {
    public enum Format: String, CaseIterable {
        case wideCSV = "wide-csv", longCSV = "long-csv", pyIRT = "py-irt-jsonl"
    }

    /// Writes `input` as `format` to `output`; returns a one-line description.
    public static func export(_ input: String, format: Format, output: String) throws -> String {
        let probe = try H5File(input, mode: .readOnly)
        let isFit = probe.exists("/items/a")
        probe.close()
        let temporary = output + ".tmp-\(getpid())"
        FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: temporary) else {
            throw IngestError(file: output, message: "cannot create the output file")
        }
        var out = Output(handle: handle)
        do {
            let text: String
            if isFit {
                guard format != .pyIRT else {
                    throw IngestError(file: input, message: "a fit file holds parameters, not responses: export it as wide-csv or long-csv (mirt's a1..aK, d, g, u)")
                }
                text = try parameters(input, into: &out)
            } else {
                text = try responses(input, format: format, into: &out)
            }
            try out.flush()
            try handle.close()
            try syncAndRename(temporary, to: output)
            return text
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    struct Output {
        let handle: FileHandle
        var buffer = ""
        mutating func write(_ text: String) throws {
            buffer += text
            if buffer.utf8.count > 1 << 20 { try flush() }
        }
        mutating func flush() throws {
            try handle.write(contentsOf: Data(buffer.utf8))
            buffer = ""
        }
        mutating func csv(_ fields: [String]) throws {
            try write(fields.map(CSVWriter.escape).joined(separator: ",") + "\n")
        }
    }

    static func parameters(_ input: String, into out: inout Output) throws -> String {
        let fit = try FitResult.read(input)
        let k = fit.dims, n = fit.itemIDs.count
        try out.csv(["item", "benchmark"] + (1...max(k, 1)).map { "a\($0)" } + ["d", "g", "u"])
        for j in 0..<n {
            let slopes = (0..<k).map { CSVWriter.number(fit.a[j * k + $0]) }
            try out.csv([fit.itemIDs[j], fit.itemBenchmarks[j]] + slopes + [CSVWriter.number(fit.d[j]), CSVWriter.number(fit.g[j]), "1"])
        }
        return "\(n) items × \(k) dimension(s): item parameters in mirt's slope-intercept columns"
    }

    static func responses(_ input: String, format: Format, into out: inout Output) throws -> String {
        let info = try ResponseFileInfo.read(input)
        // Through Store's block-row reader, one block of rows at a time.
        let rows = try ResponseRows(path: input, info: info, trials: info.hasTrials)
        defer { rows.close() }
        let n = info.items
        switch format {
        case .wideCSV: try out.csv(["model"] + info.itemIDs)
        case .longCSV: try out.csv(["model", "item", "benchmark", "response"] + (info.hasTrials ? ["trials"] : []))
        case .pyIRT: break
        }
        var answered = 0
        try rows.forEachBlock { block, values, counts in
            for (r, m) in block.enumerated() {
                let row = UnsafeBufferPointer(rebasing: values[r * n ..< (r + 1) * n])
                let trials = counts.map { UnsafeBufferPointer(rebasing: $0[r * n ..< (r + 1) * n]) }
                let name = info.modelNames[m]
                switch format {
                case .wideCSV:
                    try out.csv([name] + row.map(text))
                case .longCSV:
                    for j in 0..<info.items where !row[j].isNaN {
                        try out.csv([name, info.itemIDs[j], info.benchmarks[j], text(row[j])]
                                    + (info.hasTrials ? [String(trials![j])] : []))
                    }
                case .pyIRT:
                    var fields: [String] = []
                    for j in 0..<info.items where !row[j].isNaN {
                        fields.append(json(info.itemIDs[j]) + ": " + text(row[j]))
                    }
                    try out.write("{\"subject_id\": \(json(name)), \"responses\": {" + fields.joined(separator: ", ") + "}}\n")
                }
                answered += row.reduce(0) { $1.isNaN ? $0 : $0 + 1 }
            }
        }
        return "\(info.models) models × \(info.items) items, \(answered) answered entries, response_kind \(info.kind.rawValue)"
    }

    /// A response as float32 holds it, shortest form ("0.3", not 0.30000001...); NaN empty.
    static func text(_ value: Float) -> String { value.isNaN ? "" : "\(value)" }

    /// A JSON string literal.
    static func json(_ text: String) -> String {
        var s = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            default:
                if scalar.value < 0x20 { s += String(format: "\\u%04x", scalar.value) } else { s.unicodeScalars.append(scalar) }
            }
        }
        return s + "\""
    }
}
