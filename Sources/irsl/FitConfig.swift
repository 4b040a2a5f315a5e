import ArgumentParser
import Calibration
import Foundation
import IRT
import TOMLKit

/// `irsl fit --config FILE`: a TOML file whose `[fit]` table holds the
/// command's own options, spelled as its flags (`max-iterations = 200`,
/// `floor-from-file = true`, `input = "data.h5"` for the argument).
///
/// There is no second list of options: the keys and the TOML type each one
/// takes come from `irsl fit`'s option declarations (found by reflection, as
/// ArgumentParser finds them), and the table is parsed as the arguments it
/// spells, so values are checked exactly as flags are. Command-line flags
/// come after the table's and override them. Unknown keys, wrong types and
/// bad values are errors naming the key and the file, because a misspelt
/// option that is silently ignored makes a different fit.
struct FitConfig {
    let path: String
    /// The `input` key (the command's argument).
    var input: String?
    /// The other keys as `--key=value` (or `--flag`) arguments.
    var arguments: [String] = []

    /// What a key's TOML value must be.
    enum Kind: String { case string, integer, number, boolean, integers = "integer or a list of integers" }

    /// Every key of the [fit] table and its kind: `irsl fit`'s options and those of its option group.
    static var keys: [String: Kind] {
        var keys: [String: Kind] = [:]
        for declaration in [Mirror(reflecting: IRSL.Fit()), Mirror(reflecting: CalibrationOptions())] {
            for child in declaration.children {
                guard let label = child.label, let kind = (child.value as? ConfigOption)?.configKind else { continue }
                let name = flagName(String(label.drop { $0 == "_" }))
                if name != "config" { keys[name] = kind }
            }
        }
        return keys
    }

    /// `maxIterations` → `max-iterations`, the flag ArgumentParser derives from a property.
    static func flagName(_ property: String) -> String {
        property.reduce(into: "") { out, c in out += c.isUppercase ? "-" + c.lowercased() : String(c) }
    }

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
        let keys = Self.keys
        for key in fitTable.keys.sorted() {
            guard let kind = keys[key] else {
                throw FitError("\(path): [fit] unknown key '\(key)'; known keys: \(keys.keys.sorted().joined(separator: ", "))")
            }
            let value = fitTable[key]!
            guard let text = Self.argument(value, kind) else {
                throw FitError("\(path): [fit] key '\(key)' must be \(kind == .integer || kind == .integers ? "an" : "a") \(kind.rawValue), found \(value.type)")
            }
            if key == "input" { input = text; continue }
            let argument = kind == .boolean ? (text == "true" ? "--\(key)" : nil) : "--\(key)=\(text)"
            guard let argument else { continue }
            // The value is checked as the flag's is; the message names the file and the key.
            do { _ = try IRSL.Fit.parse([argument]) } catch {
                throw FitError("\(path): [fit] key '\(key)': \(IRSL.Fit.message(for: error))")
            }
            arguments.append(argument)
        }
    }

    /// A TOML value as the text of an argument, or nil when it has the wrong type.
    private static func argument(_ value: TOMLValueConvertible, _ kind: Kind) -> String? {
        switch kind {
        case .string: return value.string
        case .boolean: return value.bool.map { $0 ? "true" : "false" }
        case .integer: return value.int.map(String.init)
        case .number: return value.double.map { "\($0)" } ?? value.int.map(String.init)
        case .integers:
            if let v = value.int { return String(v) }
            guard let list = value.array, !list.isEmpty, list.allSatisfy({ $0.int != nil }) else { return nil }
            return list.map { String($0.int!) }.joined(separator: ",")
        }
    }

    /// nil when no config was given.
    static func load(_ path: String?) throws -> FitConfig? { try path.map { try FitConfig(path: $0) } }
}

/// The TOML kind of an option's value, known from its Swift type.
protocol ConfigValue { static var configKind: FitConfig.Kind { get } }
extension String: ConfigValue { static var configKind: FitConfig.Kind { .string } }
extension Int: ConfigValue { static var configKind: FitConfig.Kind { .integer } }
extension Double: ConfigValue { static var configKind: FitConfig.Kind { .number } }
extension PositiveIntegers: ConfigValue { static var configKind: FitConfig.Kind { .integers } }
extension ItemModel: ConfigValue { static var configKind: FitConfig.Kind { .string } }
extension ResponseChoice: ConfigValue { static var configKind: FitConfig.Kind { .string } }
extension PriorMode: ConfigValue { static var configKind: FitConfig.Kind { .string } }
extension DimensionSelection.Criterion: ConfigValue { static var configKind: FitConfig.Kind { .string } }
extension Optional: ConfigValue where Wrapped: ConfigValue { static var configKind: FitConfig.Kind { Wrapped.configKind } }

/// An option declaration whose value can come from the config.
protocol ConfigOption { var configKind: FitConfig.Kind { get } }
extension Option: ConfigOption where Value: ConfigValue { var configKind: FitConfig.Kind { Value.configKind } }
extension Argument: ConfigOption where Value: ConfigValue { var configKind: FitConfig.Kind { Value.configKind } }
extension Flag: ConfigOption where Value == Bool { var configKind: FitConfig.Kind { .boolean } }
