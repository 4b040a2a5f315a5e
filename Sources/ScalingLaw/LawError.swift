/// A scaling-law task that cannot run as asked: a bad option, a file that
/// lacks what the task needs, or data too thin to fit a law.
///
/// Errors about a file's contents are `StoreError`s (they name the file and
/// the field); this type is for everything else, and its message names the
/// option or the input and says what was expected.
public struct LawError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
