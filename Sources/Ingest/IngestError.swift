import Foundation

/// A problem with an input of `irsl ingest`: a JSONL line, a CSV cell, a
/// directory, or a clash with the response file being appended to.
///
/// Why so specific: the person reading it is fixing an export or a command
/// line, and needs the file, the place in it (line, or row and column) and
/// what was expected, e.g.
/// `run/samples_arc_2024.jsonl: line 17: filtered_resps: expected a [loglikelihood, is_greedy] pair, found a string`.
public struct IngestError: Error, CustomStringConvertible {
    /// The input file (or directory) concerned.
    public let file: String
    /// Where in it: "line 17", "row 3 (model \"x\"), column \"ARC\"", or "" for the whole file.
    public let location: String
    /// What was expected and what was found.
    public let message: String

    public init(file: String, location: String = "", message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    /// An error at a 1-based line of a text file.
    public init(file: String, line: Int, message: String) {
        self.init(file: file, location: "line \(line)", message: message)
    }

    public var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}

extension IngestError: LocalizedError {
    public var errorDescription: String? { description }
}
