/// A field of a harness record that is missing or not what the format says.
public struct HarnessRecordError: Error, CustomStringConvertible {
    /// The JSON field, e.g. "filtered_resps" or "doc.answer".
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
