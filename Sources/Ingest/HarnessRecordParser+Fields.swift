/// The scalar and `doc` fields of a record (`doc_id`, `doc`, `target`, the
/// metrics): each accepts the number-or-string forms different exporters write.
extension HarnessRecordParser {
    func metric(_ s: inout JSONScanner, _ name: String) throws -> Double {
        try field(name) { try s.flexibleNumber() }
    }

    /// A metric that is a number, or a list of per-repeat numbers: (mean, how many).
    func metricOrList(_ s: inout JSONScanner, _ name: String) throws -> (Double, Int) {
        try field(name) {
            guard try s.peekKind() == .array else { return (try s.flexibleNumber(), 1) }
            try s.beginArray()
            var first = true
            var sum = 0.0, count = 0
            while try s.nextElement(&first) {
                sum += try s.flexibleNumber()
                count += 1
            }
            guard count > 0 else { throw s.error("expected a number or a list of per-repeat numbers, found an empty list") }
            return (sum / Double(count), count)
        }
    }

    mutating func parseDocID(_ s: inout JSONScanner) throws -> String {
        try field("doc_id") {
            switch try s.peekKind() {
            case .number:
                let range = try s.rawNumber()
                // The usual case, a plain non-negative integer: its own digits are the text.
                if range.count <= 18, (range.lowerBound..<range.upperBound).allSatisfy({ s.base[$0] &- 0x30 < 10 }),
                   range.count == 1 || s.base[range.lowerBound] != 0x30 {
                    return String(decoding: UnsafeBufferPointer(start: s.base + range.lowerBound, count: range.count), as: UTF8.self)
                }
                let value = try s.parseDouble(range, strict: true)
                guard value == value.rounded(), abs(value) < 1e15 else {
                    throw JSONSyntaxError(offset: range.lowerBound, message: "expected an integer doc_id, found \(value)")
                }
                return String(Int(value))
            case .string:
                let text = try s.string()
                guard !text.isEmpty else { throw JSONSyntaxError(offset: s.position, message: "empty doc_id") }
                return text
            default:
                throw s.error("expected a number or string")
            }
        }
    }

    /// The `doc` object: the question text's range and `answer`.
    mutating func parseDoc(_ s: inout JSONScanner, question: inout (priority: Int, range: Range<Int>)?,
                                   answer: inout Int?, answerText: inout String?) throws {
        try field("doc") {
            guard try s.peekKind() == .object else {
                try s.skipValue()
                return
            }
            try s.beginObject()
            var first = true
            while let key = try s.nextKey(&first) {
                if let priority = HarnessRecordParser.questionFields.firstIndex(where: { s.bytes(key, equal: $0) }),
                   try s.peekKind() == .string {
                    let range = try s.rawString()
                    if question == nil || priority < question!.priority { question = (priority, range) }
                } else if s.bytes(key, equal: "answer") {
                    switch try s.peekKind() {
                    case .number, .string:
                        let start = s.position
                        let value = try? s.flexibleNumber()
                        if value == nil {
                            s.position = start
                            try s.skipValue()
                        }
                        answerText = String(decoding: UnsafeBufferPointer(start: s.base + start, count: min(s.position - start, 40)),
                                            as: UTF8.self)
                        if let value, value == value.rounded(), abs(value) < 1e9 { answer = Int(value) }
                    default:
                        try s.skipValue()
                    }
                } else {
                    try s.skipValue()
                }
            }
        }
    }

    /// `target`: an integer (number, numeric string, or one-element list) or something else (described).
    mutating func parseTarget(_ s: inout JSONScanner) throws -> (Int?, String) {
        try field("target") {
            let start = s.position
            func describe(_ s: JSONScanner) -> String {
                let n = min(s.position - start, 60)
                let text = String(decoding: UnsafeBufferPointer(start: s.base + start, count: n), as: UTF8.self)
                return n < s.position - start ? text + "…" : text
            }
            switch try s.peekKind() {
            case .number, .string:
                let begin = s.position
                if let value = try? s.flexibleNumber(), value == value.rounded(), abs(value) < 1e9 {
                    return (Int(value), describe(s))
                }
                s.position = begin
                try s.skipValue()
                return (nil, describe(s))
            case .array:
                try s.beginArray()
                var first = true
                var values: [Double?] = []
                while try s.nextElement(&first) {
                    let begin = s.position
                    if let v = try? s.flexibleNumber() { values.append(v) } else {
                        s.position = begin
                        try s.skipValue()
                        values.append(nil)
                    }
                }
                if values.count == 1, let v = values[0], v == v.rounded(), abs(v) < 1e9 { return (Int(v), describe(s)) }
                return (nil, describe(s) + " (a list of \(values.count))")
            default:
                try s.skipValue()
                return (nil, describe(s))
            }
        }
    }
}
