import Calibration
import Foundation
import IRT
import TOMLKit

/// `irsl fit --config FILE`: a TOML file whose `[fit]` table holds the same
/// options as the command line, spelled as the flags are
/// (`max-iterations = 200`). Command-line flags override the file. Unknown
/// keys and wrong types are errors naming the key and the file, because a
/// misspelt option that is silently ignored makes a different fit.
struct FitConfig {
    var values: [String: TOMLValueConvertible] = [:]
    let path: String

    static let keys: [String: TOMLType] = [
        "input": .string, "output": .string,
        "model": .string, "dims": .int, "select": .string, "response": .string, "floor-from-file": .bool,
        "max-iterations": .int, "tolerance": .double, "parameter-tolerance": .double,
        "theta-ridge": .double, "item-ridge": .double, "theta-bound": .double, "item-bound": .double,
        "max-step": .double, "prior": .string,
        "checkpoint": .string, "checkpoint-every": .double, "resume": .bool, "overwrite": .bool,
    ]

    init(path: String) throws {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FitError("\(path): cannot read the config file")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw FitError("\(path): not valid TOML: \(e.description) at line \(e.source.begin.line)")
        }
        for key in table.keys where key != "fit" {
            throw FitError("\(path): unknown top-level key '\(key)'; fit options belong in a [fit] table")
        }
        guard let fit = table["fit"] else { return }
        guard let fitTable = fit.table else { throw FitError("\(path): 'fit' must be a table ([fit])") }
        for key in fitTable.keys {
            guard let expected = Self.keys[key] else {
                throw FitError("\(path): [fit] unknown key '\(key)'; known keys: \(Self.keys.keys.sorted().joined(separator: ", "))")
            }
            let value = fitTable[key]!
            let ok = value.type == expected || (expected == .double && value.type == .int)
                || (key == "dims" && value.type == .array && (value.array?.allSatisfy { $0.type == .int } ?? false))
            guard ok else {
                throw FitError("\(path): [fit] key '\(key)' must be \(expected == .double ? "a number" : key == "dims" ? "an integer or a list of integers" : "a \(expected)"), found \(value.type)")
            }
            values[key] = value
        }
    }

    /// nil when no config was given.
    static func load(_ path: String?) throws -> FitConfig? { try path.map { try FitConfig(path: $0) } }

    /// An integer or a list of integers (`dims = 2` or `dims = [1, 2, 3]`).
    func intList(_ key: String) -> [Int]? {
        if let v = values[key]?.int { return [v] }
        return values[key]?.array.map { $0.compactMap { $0.int } }
    }

    func string(_ key: String) -> String? { values[key]?.string }
    func int(_ key: String) -> Int? { values[key]?.int }
    func bool(_ key: String) -> Bool? { values[key]?.bool }
    func double(_ key: String) -> Double? { values[key].flatMap { $0.double ?? $0.int.map(Double.init) } }
}
