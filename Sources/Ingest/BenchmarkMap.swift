import Foundation

/// Groups tasks (lm-eval) or columns (tables) into benchmarks.
///
/// Why: the fit estimates one Beta precision per benchmark and reports
/// per-benchmark summaries, and exports are often finer than a benchmark:
/// the harness runs MMLU as 57 `mmlu_<subject>` tasks, the leaderboard table
/// has `bbh_*` sub-task columns. A map of shell patterns
/// (`mmlu_*` → `mmlu`) regroups them without renaming items.
///
/// Written as a file, one rule per line, the first matching rule winning:
///
///     # pattern, benchmark
///     mmlu_*,mmlu
///     hendrycksTest-*=mmlu
///
/// (`,` or `=` between the two; blank lines and `#` comments ignored; a
/// first line `pattern,benchmark` is taken as a header). On the command
/// line the same rules can be given inline, comma-separated:
/// `--benchmark-map 'mmlu_*=mmlu,bbh_*=bbh'`. Names no rule matches keep
/// their own name as benchmark.
public struct BenchmarkMap {
    public struct Rule: Equatable {
        public var pattern: String
        public var benchmark: String

        public init(pattern: String, benchmark: String) {
            self.pattern = pattern
            self.benchmark = benchmark
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    /// The benchmark of a task or column name.
    public func benchmark(for name: String) -> String {
        rules.first { GlobList.match($0.pattern, name) }?.benchmark ?? name
    }

    /// A map from `spec`: the path of a rule file if such a file exists,
    /// otherwise inline rules `PATTERN=BENCHMARK[,PATTERN=BENCHMARK...]`.
    public static func load(_ spec: String) throws -> BenchmarkMap {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: spec, isDirectory: &isDirectory), !isDirectory.boolValue {
            return try BenchmarkMap(contentsOf: spec)
        }
        guard spec.contains("=") else {
            throw IngestError(file: spec, message: "no such benchmark-map file (inline rules are written PATTERN=BENCHMARK, comma-separated)")
        }
        var rules: [Rule] = []
        for (index, entry) in spec.split(separator: ",").enumerated() {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw IngestError(file: "--benchmark-map", location: "rule \(index + 1)",
                                  message: "expected PATTERN=BENCHMARK, found \"\(entry)\"")
            }
            rules.append(Rule(pattern: parts[0], benchmark: parts[1]))
        }
        return BenchmarkMap(rules: rules)
    }

    /// Reads a rule file (format above); errors name the file and line.
    public init(contentsOf path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw IngestError(file: path, message: "cannot read the benchmark map: \(error.localizedDescription)")
        }
        var rules: [Rule] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let content = line.trimmingSpaces()
            if content.isEmpty || content.hasPrefix("#") { continue }
            let separator: Character = content.contains("=") ? "=" : ","
            let parts = content.split(separator: separator, maxSplits: 1).map { $0.trimmingSpaces() }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw IngestError(file: path, line: index + 1,
                                  message: "expected PATTERN,BENCHMARK (or PATTERN=BENCHMARK), found \"\(content)\"")
            }
            if rules.isEmpty && parts[0].lowercased() == "pattern" && parts[1].lowercased() == "benchmark" { continue }
            rules.append(Rule(pattern: parts[0], benchmark: parts[1]))
        }
        self.rules = rules
    }
}
