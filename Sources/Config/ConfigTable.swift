import TOMLKit

/// What a config key's TOML value must be.
public enum ConfigKind: String, Sendable {
    case string, integer, number, boolean
    case integers = "integer or a list of integers"

    /// "a string", "an integer", …: the kind as an error message says it.
    var phrase: String { (self == .integer || self == .integers ? "an " : "a ") + rawValue }
}

/// A config file that cannot be used: the message names the file and, where
/// there is one, the key.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One table of a TOML config file (`[fit]` for `irsl fit --config`),
/// decoded against a schema of known keys and the kind each one takes.
///
/// Why a module of its own: the decoding (TOML syntax, top-level keys,
/// unknown keys, value kinds) is the part of the config reader that meets
/// arbitrary bytes, so the libFuzzer target in fuzz/ links it without the
/// command-line tool. The schema (`irsl fit`'s options, found by reflection)
/// and the check of each value as the flag it spells stay with the CLI.
public struct ConfigTable: Sendable {
    /// A key that was given: its kind and its value as the text of a flag
    /// argument (`true`/`false` for booleans, `1,2,3` for integer lists).
    public struct Entry: Equatable, Sendable {
        public let key: String
        public let kind: ConfigKind
        public let text: String
    }

    public let path: String
    /// The table's keys in sorted order; empty when the file has no such table.
    public let entries: [Entry]

    /// Parses `text` (the contents of `path`) and decodes its `[table]`.
    /// Only `table` may appear at the top level. Throws a `ConfigError`
    /// naming the file (and the line, or the key) for invalid TOML, another
    /// top-level key, a `table` that is not a table, an unknown key or a
    /// value of the wrong kind.
    public init(text: String, path: String, table name: String, keys: [String: ConfigKind]) throws {
        self.path = path
        if let line = TableHeaderCheck.firstBadHeader(text) {
            throw ConfigError("\(path): not valid TOML: a table header must start with a key ([name] or [[name]]) at line \(line)")
        }
        let document: TOMLTable
        do { document = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError("\(path): not valid TOML: \(e.description) at line \(e.source.begin.line)")
        } catch {
            throw ConfigError("\(path): not valid TOML: \(error)")
        }
        for key in document.keys.sorted() where key != name {
            throw ConfigError("\(path): unknown top-level key '\(key)'; \(name) options belong in a [\(name)] table")
        }
        guard let value = document[name] else { entries = []; return }
        guard let table = value.table else { throw ConfigError("\(path): '\(name)' must be a table ([\(name)])") }
        var entries: [Entry] = []
        for key in table.keys.sorted() {
            guard let kind = keys[key] else {
                throw ConfigError("\(path): [\(name)] unknown key '\(key)'; known keys: \(keys.keys.sorted().joined(separator: ", "))")
            }
            guard let value = table[key] else { continue }
            guard let text = Self.argument(value, kind) else {
                throw ConfigError("\(path): [\(name)] key '\(key)' must be \(kind.phrase), found \(value.type)")
            }
            entries.append(Entry(key: key, kind: kind, text: text))
        }
        self.entries = entries
    }

    /// A TOML value as the text of an argument, or nil when it has the wrong kind.
    static func argument(_ value: TOMLValueConvertible, _ kind: ConfigKind) -> String? {
        switch kind {
        case .string: return value.string
        case .boolean: return value.bool.map { $0 ? "true" : "false" }
        case .integer: return value.int.map(String.init)
        case .number: return value.double.map { "\($0)" } ?? value.int.map(String.init)
        case .integers:
            if let v = value.int { return String(v) }
            guard let list = value.array, !list.isEmpty else { return nil }
            var items: [String] = []
            for element in list {
                guard let v = element.int else { return nil }
                items.append(String(v))
            }
            return items.joined(separator: ",")
        }
    }
}
