import Foundation

/// What `HDF5Check` found in a file, and its form on the wire between the
/// `irsl __check-hdf5 FILE --report` child and the parent (`HDF5Guard`):
/// lines `key<TAB>value`.
///
/// Why apart from `HDF5Check`: the parent decodes whatever the child printed
/// (a crashing child may print anything), so the decoding is plain text
/// handling, reached by the libFuzzer target `fuzz/HDF5BoundsFuzz.swift`.
public struct HDF5CheckReport: Equatable, Sendable {
    /// Problems found, each naming the dataset or attribute ("/responses: ...").
    public var damage: [String] = []
    public var datasets = 0
    public var groups = 0
    public var attributes = 0
    /// Bytes of dataset data read back.
    public var bytesRead = 0
    /// Datasets whose chunks carry a Fletcher32 checksum.
    public var checksummed: [String] = []
    /// Datasets whose data was not read (too large for a metadata check).
    public var skippedData: [String] = []

    public init() {}

    /// The report as lines `key<TAB>value` (what `--report` prints); line
    /// breaks inside a value become spaces.
    public var encoded: String {
        func line(_ key: String, _ value: String) -> String {
            key + "\t" + value.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        }
        var lines = [line("datasets", "\(datasets)"), line("groups", "\(groups)"),
                     line("attributes", "\(attributes)"), line("bytes", "\(bytesRead)")]
        lines += checksummed.map { line("checksummed", $0) }
        lines += skippedData.map { line("skipped", $0) }
        lines += damage.map { line("damage", $0) }
        return lines.joined(separator: "\n")
    }

    /// Decodes `encoded` text; unknown or malformed lines are ignored, a bad count reads as 0.
    public init(encoded text: String) {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "datasets": datasets = Int(parts[1]) ?? 0
            case "groups": groups = Int(parts[1]) ?? 0
            case "attributes": attributes = Int(parts[1]) ?? 0
            case "bytes": bytesRead = Int(parts[1]) ?? 0
            case "checksummed": checksummed.append(parts[1])
            case "skipped": skippedData.append(parts[1])
            case "damage": damage.append(parts[1])
            default: break
            }
        }
    }
}
