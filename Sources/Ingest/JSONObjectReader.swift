import Foundation

/// Streams the members of a file holding one top-level JSON object through
/// a fixed buffer (`ReadWindow`), handing each member the caller wants to
/// keep to it as compact JSON bytes, small enough to decode on their own.
///
/// Why: an Inspect `.json` log is one object whose `samples` array holds
/// every transcript (messages, events: nearly all of a log's bytes, often
/// hundreds of MB), and an OpenCompass predictions file is one object of
/// rows each carrying its whole prompt. Decoding either whole builds a tree
/// many times the file's size. Here every value the caller does not keep
/// is skipped in place (its grammar still checked, nothing built), so
/// memory is the buffer plus one kept value, whatever the file's size.
///
/// What is kept is decided per top-level key (`Route`): the whole value,
/// an object with only some of its members, or an array or object streamed
/// item by item with the same member filter. Malformed JSON is an
/// `IngestError` naming the file, the item it is in (`samples[3]`) and the
/// byte offset.
public struct JSONObjectReader {
    public let path: String
    public var bufferSize: Int

    public init(path: String, bufferSize: Int = 4 << 20) {
        self.path = path
        self.bufferSize = bufferSize
    }

    /// What to do with the value of a top-level key.
    public enum Route {
        /// Skip it (grammar checked).
        case skip
        /// Hand over the whole value, as it is in the file.
        case whole
        /// An object: hand over an object of only the members `keep` accepts
        /// (any other kind of value is handed over whole).
        case filtered
        /// An array or an object: hand over each element or member, filtered
        /// like `.filtered`, with its index or key as `item` (a value of
        /// another kind holds no items and is skipped).
        case items
    }

    /// Reads the file; `handle(key, item, bytes)` gets each kept value
    /// (`item` is the element's index or the member's key for `.items`,
    /// else nil). Returns the bytes read.
    @discardableResult
    public func read(route: (String) -> Route, keep: (String) -> Bool,
              _ handle: (_ key: String, _ item: String?, _ json: Data) throws -> Void) throws -> Int {
        var window = try ReadWindow(path: path, capacity: bufferSize)
        defer { window.finish() }
        var at = ""
        do {
            try window.attempt { try $0.beginObject() }
            var first = true
            while let key = try window.attempt({ s -> String? in
                var f = first
                guard let raw = try s.nextKey(&f) else { return nil }
                return try s.decodedString(raw)
            }) {
                first = false
                switch route(key) {
                case .skip:
                    try window.attempt { try $0.skipValue() }
                case .whole:
                    try handle(key, nil, try window.attempt { try $0.rawValue() })
                case .filtered:
                    try handle(key, nil, try window.attempt { try $0.filteredValue(keep) })
                case .items:
                    // Anything but an array or an object holds no items: skipped.
                    guard let isArray = try window.attempt({ s -> Bool? in
                        switch try s.peekKind() {
                        case .array: try s.beginArray(); return true
                        case .object: try s.beginObject(); return false
                        default: try s.skipValue(); return nil
                        }
                    }) else { continue }
                    var firstItem = true, index = 0
                    while let item = try window.attempt({ s -> String? in
                        var f = firstItem
                        if isArray { return try s.nextElement(&f) ? "\(index)" : nil }
                        return try s.nextKey(&f).map { try s.decodedString($0) }
                    }) {
                        firstItem = false
                        at = isArray ? "\(key)[\(item)]" : "\(key) \"\(item)\""
                        try handle(key, item, try window.attempt { try $0.filteredValue(keep) })
                        index += 1
                    }
                    at = ""
                }
            }
            try window.attempt { s in
                guard s.atEnd() else { throw s.error("unexpected text after the end of the object") }
            }
        } catch let error as JSONSyntaxError {
            throw IngestError(file: path, location: at, message: "malformed JSON: \(error.message) (at byte \(window.fileOffset + error.offset + 1))")
        }
        return window.total
    }
}

extension JSONScanner {
    /// The string of a key's raw (still escaped) bytes.
    func decodedString(_ raw: Range<Int>) throws -> String {
        var bytes: [UInt8] = []
        try decodeString(raw, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The next value's bytes as they are in the text.
    mutating func rawValue() throws -> Data {
        skipWhitespace()
        let start = position
        try skipValue()
        return Data(bytes: base + start, count: position - start)
    }

    /// The next value; an object keeps only the members `keep` accepts (the
    /// others are skipped), re-emitted as `{"key":value,...}` with each kept
    /// value's bytes as they are in the text.
    mutating func filteredValue(_ keep: (String) -> Bool) throws -> Data {
        guard try peekKind() == .object else { return try rawValue() }
        try beginObject()
        var out = Data("{".utf8)
        var first = true, kept = 0
        while let raw = try nextKey(&first) {
            if keep(try decodedString(raw)) {
                if kept > 0 { out.append(UInt8(ascii: ",")) }
                out.append(base + raw.lowerBound - 1, count: raw.count + 2)   // the key with its quotes
                out.append(UInt8(ascii: ":"))
                out.append(try rawValue())
                kept += 1
            } else {
                try skipValue()
            }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
