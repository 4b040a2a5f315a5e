import Foundation

/// Builds CSV text for the fit's CSV twins.
///
/// Why hand-rolled: the rules needed are few and must be exact so pandas and
/// R read the files unaided: RFC 4180 quoting (fields containing a comma,
/// quote or line break are wrapped in quotes, inner quotes doubled), doubles
/// printed with full round-trip precision, and NaN written as an empty cell,
/// which `pandas.read_csv` reads back as NaN. Lines end in "\n".
public struct CSVWriter {
    /// The CSV built so far.
    public private(set) var text: String = ""

    public init() {}

    /// Appends one record.
    public mutating func row(_ fields: [String]) {
        text += fields.map(CSVWriter.escape).joined(separator: ",")
        text += "\n"
    }

    /// A field quoted per RFC 4180 when it contains a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A double in Swift's shortest round-trip form ("0.1", "1e-05", "inf");
    /// NaN becomes the empty string.
    public static func number(_ value: Double) -> String {
        value.isNaN ? "" : "\(value)"
    }
}
