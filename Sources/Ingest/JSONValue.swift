import Foundation

/// Any JSON value, for the fields of harness logs whose type varies from
/// file to file: Inspect sample ids (int or string), score values ("C",
/// 0.5, 1, true, ...), task arguments. Decoded with `JSONDocument`.
public enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        if let o = try? c.decode([String: JSONValue].self) { self = .object(o); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
    }

    /// The value as JSON-like text, for ids and messages: strings bare, the rest as JSON writes them.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isNaN ? "NaN" : (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d))
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.quoted).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\"\($0)\": \(o[$0]!.quoted)" }.joined(separator: ", ") + "}"
        }
    }

    /// As `description`, but strings in quotes (how a message shows a value's type).
    public var quoted: String {
        if case .string(let s) = self { return "\"\(s)\"" }
        return description
    }

    /// What kind of value this is, for messages ("a string", "an object").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// Decodes whole JSON documents (Inspect headers and logs, HELM files,
/// OpenCompass predictions) into the few fields ingest needs.
///
/// Why JSON5 mode: Inspect writes Python's `json.dumps` output, which has
/// bare `NaN` and `Infinity` (e.g. an undefined accuracy); strict JSON
/// parsers reject those, Python and JSON5 accept them. Strict mode is
/// tried first: it is faster, and nearly every file is plain JSON. Errors name the
/// file, the member or part, and the field path (`eval.model: expected a
/// string`), never a Swift type.
public enum JSONDocument {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String, part: String = "") throws -> T {
        // Strict JSON first (the fast path); JSON5 only for documents it rejects (bare NaN).
        if let value = try? JSONDecoder().decode(type, from: data) { return value }
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw IngestError(file: file, location: part, message: describe(error))
        }
    }

    /// A decoding error in the words of the file: the field path and what was expected.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let i = key.intValue { text += "[\(i)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        func expected(_ type: Any.Type) -> String {
            switch type {
            case is String.Type: return "a string"
            case is Int.Type, is Double.Type, is Float.Type: return "a number"
            case is Bool.Type: return "a boolean"
            default:
                let name = String(describing: type)
                return name.hasPrefix("Array") || name.hasPrefix("[") ? "a list" : (name.hasPrefix("Dictionary") ? "an object" : "an object")
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            return "\(at): missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath).isEmpty ? "document" : path(context.codingPath)): expected \(expected(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(expected(type)), found null"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            let at = path(context.codingPath)
            return (at.isEmpty ? "" : "\(at): ") + "malformed JSON" + (underlying.map { ": \($0)" } ?? (context.debugDescription.isEmpty ? "" : ": \(context.debugDescription)"))
        @unknown default:
            return "\(error)"
        }
    }
}
