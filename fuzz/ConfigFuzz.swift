// libFuzzer target: the TOML config reader (Sources/Config/ConfigTable.swift
// on TOMLKit / toml++), as `irsl fit --config` uses it, on arbitrary bytes.
// Any input must give the [fit] table's entries or a thrown ConfigError; a
// crash, an out-of-bounds access, a hang, or an entry that breaks the
// schema (unknown key, wrong kind, text that is not the kind) is a finding.
// Built by scripts/fuzz.sh with swiftc -sanitize=fuzzer,address.

/// A schema with every kind, spelt like irsl fit's options.
let schema: [String: ConfigKind] = [
    "input": .string, "output": .string, "model": .string, "dims": .integers, "max-iterations": .integer,
    "tolerance": .number, "theta-ridge": .number, "floor-from-file": .boolean, "overwrite": .boolean,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // As irsl reads the file: UTF-8 text, else "cannot read the config file" before any parsing.
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    guard let table = try? ConfigTable(text: text, path: "fuzz.toml", table: "fit", keys: schema) else { return 0 }
    var previous = ""
    for entry in table.entries {
        precondition(schema[entry.key] == entry.kind, "an entry outside the schema")
        precondition(entry.key > previous, "entries sorted and unique")
        previous = entry.key
        switch entry.kind {
        case .integer: precondition(Int(entry.text) != nil, "an integer entry that is not an integer")
        case .number: precondition(Double(entry.text) != nil, "a number entry that is not a number")
        case .boolean: precondition(entry.text == "true" || entry.text == "false", "a boolean that is not one")
        case .integers:
            precondition(entry.text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { Int($0) != nil },
                         "an integer list with a non-integer")
        case .string: break
        }
    }
    return 0
}
