#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell-style patterns (`mmlu_*`, `arc_?`, `[ab]*`) for task and column
/// names, matched with POSIX `fnmatch` so they behave exactly like the
/// shell globs users already write. A list is comma-separated
/// (`"arc*,hellaswag"`) and matches a name if any of its patterns does.
public struct GlobList: CustomStringConvertible {
    public let patterns: [String]

    /// Parses a comma-separated list; empty entries are ignored.
    public init(_ list: String) {
        patterns = list.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    public init(patterns: [String]) {
        self.patterns = patterns
    }

    /// Whether `name` matches one of the patterns.
    public func matches(_ name: String) -> Bool {
        patterns.contains { GlobList.match($0, name) }
    }

    /// Whether `name` matches the single shell pattern `pattern`.
    public static func match(_ pattern: String, _ name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }

    public var description: String { patterns.joined(separator: ",") }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
