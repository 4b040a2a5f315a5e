/// The choices' continuation lengths in `arguments`, read only for
/// length-normalised probabilities (so most parses never reach this code).
extension HarnessRecordParser {
    /// The continuation length (characters, less a leading space) of each choice in `arguments`.
    mutating func parseArguments(_ s: inout JSONScanner) throws -> [Int]? {
        try field("arguments") {
            var lengths: [(order: Int, length: Int)] = []
            var missing = false
            switch try s.peekKind() {
            case .object:
                // {"gen_args_0": {"arg_0": ctx, "arg_1": cont}, ...}
                try s.beginObject()
                var first = true
                var position = 0
                while let key = try s.nextKey(&first) {
                    var order = position
                    let keyText = String(decoding: UnsafeBufferPointer(start: s.base + key.lowerBound, count: key.count), as: UTF8.self)
                    if let underscore = keyText.lastIndex(of: "_"), let n = Int(keyText[keyText.index(after: underscore)...]) {
                        order = n
                    }
                    position += 1
                    guard try s.peekKind() == .object else {
                        try s.skipValue()
                        missing = true
                        continue
                    }
                    try s.beginObject()
                    var innerFirst = true
                    var length: Int?
                    while let inner = try s.nextKey(&innerFirst) {
                        if s.bytes(inner, equal: "arg_1"), try s.peekKind() == .string {
                            length = try continuationLength(&s)
                        } else {
                            try s.skipValue()
                        }
                    }
                    // No arg_1: not a log-likelihood request (a generation task); no lengths.
                    guard let length else { missing = true; continue }
                    lengths.append((order, length))
                }
            case .array:
                // [[ctx, cont], ...]
                try s.beginArray()
                var first = true
                var index = 0
                while try s.nextElement(&first) {
                    guard try s.peekKind() == .array else {
                        try s.skipValue()
                        missing = true
                        index += 1
                        continue
                    }
                    try s.beginArray()
                    var innerFirst = true
                    var k = 0
                    var length: Int?
                    while try s.nextElement(&innerFirst) {
                        if k == 1, try s.peekKind() == .string { length = try continuationLength(&s) } else { try s.skipValue() }
                        k += 1
                    }
                    if let length { lengths.append((index, length)) } else { missing = true }
                    index += 1
                }
            default:
                throw s.error("expected an object of gen_args or a list of [context, continuation]")
            }
            return missing ? nil : lengths.sorted { $0.order < $1.order }.map(\.length)
        }
    }

    /// Characters (Unicode scalars, as Python's len) of a continuation string,
    /// less the leading space the harness puts between context and choice.
    private mutating func continuationLength(_ s: inout JSONScanner) throws -> Int {
        let range = try s.rawString()
        scratch.removeAll(keepingCapacity: true)
        try s.decodeString(range, into: &scratch)
        var count = 0
        for b in scratch where b & 0xC0 != 0x80 { count += 1 }
        if scratch.first == UInt8(ascii: " ") { count -= 1 }
        return count
    }
}
