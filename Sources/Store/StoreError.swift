import Foundation

/// A failure reading or writing an irsl file.
///
/// Every error names the file and the HDF5 path (or CSV column, or attribute)
/// it concerns, because the typical reader is someone fixing an ingest script
/// who needs to know exactly which field of which file broke the contract in
/// docs/format.md. The description reads
/// `"<file>: <field>: <message>"`, e.g.
/// `"data.h5: /responses: expected a 2-D float32 dataset, found rank 1"`.
public struct StoreError: Error, CustomStringConvertible {
    /// The file as the caller named it.
    public let file: String
    /// The dataset, group or attribute path inside the file (or "" for the file itself).
    public let field: String
    /// What was expected and what was found.
    public let message: String

    public init(file: String, field: String, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        field.isEmpty ? "\(file): \(message)" : "\(file): \(field): \(message)"
    }
}

extension StoreError: LocalizedError {
    public var errorDescription: String? { description }
}
