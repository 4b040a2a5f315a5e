/// A syntax error at a byte offset of the text being scanned: thrown by
/// `JSONScanner` and acted on by `JSONArrayReader` (which retries a truncated
/// value with more of the file) and the record parsers (which name the field).
public struct JSONSyntaxError: Error, CustomStringConvertible {
    /// Byte offset (0-based) into the scanned text where the problem was seen.
    public let offset: Int
    /// What was expected and what was found.
    public let message: String
    /// Whether the text ran out before the value ended: the error may be the
    /// cut of a buffer, not the file (`JSONArrayReader` then reads on and retries).
    public let truncated: Bool

    public init(offset: Int, message: String, truncated: Bool = false) {
        self.offset = offset
        self.message = message
        self.truncated = truncated
    }

    public var description: String { "\(message) (at byte \(offset + 1))" }
}
