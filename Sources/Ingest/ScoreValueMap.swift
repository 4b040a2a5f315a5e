/// Turns a harness's per-sample score value into a response in [0, 1].
///
/// Inspect scorers return letters, numbers or booleans; the default table is
/// Inspect's own `value_to_float`: `C` (correct) = 1, `I` (incorrect) = 0,
/// `P` (partial) = 0.5, `N` (no answer) = 0, `yes`/`true` = 1,
/// `no`/`false` = 0 (case-insensitive), numeric strings parsed, booleans
/// and numbers as they are. `--value-map C=1,I=0,P=0.25` overrides or adds
/// string values. A value that maps to nothing, or outside [0, 1], is an
/// error: a response file holds scores, and guessing would bias the fit.
public struct ScoreValueMap: Equatable {
    public private(set) var table: [String: Double]

    public static let defaults: [String: Double] = ["C": 1, "I": 0, "P": 0.5, "N": 0,
                                                    "yes": 1, "true": 1, "no": 0, "false": 0]

    public init(overrides: [String: Double] = [:]) {
        table = ScoreValueMap.defaults
        for (k, v) in overrides { table[k] = v }
    }

    /// Parses `C=1,I=0,P=0.5` (the `--value-map` option).
    public init(parsing text: String) throws {
        var overrides: [String: Double] = [:]
        for rule in text.split(separator: ",") {
            let parts = rule.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]), value >= 0, value <= 1 else {
                throw IngestError(file: "--value-map", message: "expected VALUE=NUMBER rules with numbers in [0, 1], e.g. C=1,I=0,P=0.5; found \"\(rule)\"")
            }
            overrides[parts[0]] = value
        }
        self.init(overrides: overrides)
    }

    /// The response for `value`, or a message saying why there is none.
    public func response(_ value: JSONValue) -> Result<Double, ScoreValueError> {
        let x: Double
        switch value {
        case .bool(let b): x = b ? 1 : 0
        case .int, .double: x = value.number!
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            if let known = table[trimmed] ?? table.first(where: { $0.key.lowercased() == trimmed.lowercased() })?.value {
                x = known
            } else if let parsed = Double(trimmed) {
                x = parsed
            } else {
                return .failure(ScoreValueError("the score \"\(s)\" has no numeric meaning; map it with --value-map \(s)=NUMBER"))
            }
        default:
            return .failure(ScoreValueError("expected a score (a letter such as \"C\", a number or a boolean), found \(value.typeName) \(value.quoted)"))
        }
        guard x.isFinite, x >= 0, x <= 1 else {
            return .failure(ScoreValueError("score \(value.quoted) is \(x), outside [0, 1]; a response file holds scores in [0, 1]"))
        }
        return .success(x)
    }
}

public struct ScoreValueError: Error, CustomStringConvertible {
    public let description: String
    init(_ text: String) { description = text }
}

import Foundation
