import ArgumentParser
import Calibration
import Foundation
import IRT
import Config
import Store

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
    typealias Kind = ConfigKind

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

    /// The file's text, or an error naming it.
    static func text(of path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FitError("\(path): cannot read the config file")
        }
        return text
    }

    /// Parses the file in a child (`irsl __check-config`) first, when this
    /// is the irsl executable: toml++ aborts on some malformed TOML, and the
    /// abort must be an error here, not the end of an MPI rank.
    static func checkInChild(_ path: String) throws {
        guard let irsl = HDF5Guard.checker else { return }
        let outcome: ChildProcess.Outcome
        do { outcome = try ChildProcess.run(irsl, [IRSL.CheckConfig.subcommand, path], label: path, timeout: 30) } catch {
            throw FitError("\(error)")
        }
        switch outcome {
        case .exited(0, _): return
        case .exited(_, let output):
            throw FitError(output.split(separator: "\n").first.map(String.init) ?? "\(path): cannot read the config file")
        case .signalled(let signal):
            throw FitError("\(path): not valid TOML (the TOML parser crashed on it: \(ChildProcess.signalName(signal)))")
        case .timedOut(let seconds):
            throw FitError("\(path): not valid TOML (parsing it did not finish within \(Int(seconds)) s)")
        }
    }

    init(path: String) throws {
        self.path = path
        let text = try Self.text(of: path)
        try Self.checkInChild(path)
        let table: ConfigTable
        do { table = try ConfigTable(text: text, path: path, table: "fit", keys: Self.keys) } catch let e as ConfigError {
            throw FitError(e.description)
        }
        for entry in table.entries {
            if entry.key == "input" { input = entry.text; continue }
            if entry.kind == .boolean && entry.text == "false" { continue }
            let argument = entry.kind == .boolean ? "--\(entry.key)" : "--\(entry.key)=\(entry.text)"
            // The value is checked as the flag's is; the message names the file and the key.
            do { _ = try IRSL.Fit.parse([argument]) } catch {
                throw FitError("\(path): [fit] key '\(entry.key)': \(IRSL.Fit.message(for: error))")
            }
            arguments.append(argument)
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
