/// A field of a harness record that is missing or not what the format says.
public struct HarnessRecordError: Error, CustomStringConvertible {
    /// The JSON field, e.g. "filtered_resps" or "doc.answer".
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Turns one line of a harness samples file into a `HarnessRecord`,
/// extracting only the fields irsl needs with `JSONScanner`.
///
/// Formats accepted, because exports differ between harness versions and
/// post-processing tools:
/// * scalars as JSON numbers or as strings (`-3.37` or `"-3.37"`,
///   `1.0` or `"1.0"`, `doc_id` `17` or `"17"`; also bare NaN/Infinity);
/// * `filtered_resps` as `[[ll, is_greedy], ...]` (multiple-choice) or
///   `["answer", ...]` (generation); when absent, `resps`
///   (`[[[ll, is_greedy]], ...]` / `[["text"]]`);
/// * `arguments` as `{"gen_args_0": {"arg_0": ctx, "arg_1": cont}, ...}` or
///   as `[[ctx, cont], ...]` (only read for length normalisation);
/// * fields in any order, unknown fields ignored (but grammar-checked).
///
/// The question text hashed into the item id is the first string field of
/// `doc` among `questionFields` (`question` for arc, mmlu, gsm8k,
/// truthfulqa; `query` for hellaswag; `sentence` for winogrande); failing
/// those, the logged `doc_hash`, failing that the raw bytes of `doc`.
public struct HarnessRecordParser {
    /// The task name (decides the gold rule).
    public let task: String
    public let goldRule: GoldRule
    /// Whether to read the choices' continuation lengths (for length-normalised probabilities).
    public var readsContinuationLengths: Bool

    /// `doc` fields holding the question text, in order of preference.
    public static let questionFields: [StaticString] = [
        "question", "query", "sentence", "ctx", "goal", "problem", "prompt", "input", "text",
    ]

    /// Reused decode buffer.
    private var scratch: [UInt8] = []

    public init(task: String, goldRule: GoldRule? = nil, readsContinuationLengths: Bool = false) {
        self.task = task
        self.goldRule = goldRule ?? GoldRule.forTask(task)
        self.readsContinuationLengths = readsContinuationLengths
        scratch.reserveCapacity(4096)
    }

    /// Parses one JSON line. Throws `JSONSyntaxError` for malformed JSON and
    /// `HarnessRecordError` for a missing or ill-typed field.
    public mutating func parse(_ line: UnsafeBufferPointer<UInt8>) throws -> HarnessRecord {
        var s = JSONScanner(line)
        try s.beginObject()

        var docID: String?
        var question: (priority: Int, range: Range<Int>)?
        var docAnswer: Int?
        var docAnswerText: String?
        var docRange: Range<Int>?
        var docHashRange: Range<Int>?
        var target: Int?
        var targetDescription = "nothing"
        var filtered: (kind: HarnessRecord.Kind, lls: [Double], kept: Int)?
        var respsOffset: Int?
        var repeats = 1
        var exactMatchCount = 1
        var lengths: [Int]?
        var acc: Double?, accNorm: Double?, exactMatch: Double?
        var filter: String?

        var first = true
        while let key = try s.nextKey(&first) {
            if s.bytes(key, equal: "doc") {
                s.skipWhitespace()
                let start = s.position
                try parseDoc(&s, question: &question, answer: &docAnswer, answerText: &docAnswerText)
                docRange = start..<s.position
            } else if s.bytes(key, equal: "doc_id") {
                docID = try parseDocID(&s)
            } else if s.bytes(key, equal: "target") {
                (target, targetDescription) = try parseTarget(&s)
            } else if s.bytes(key, equal: "filtered_resps") {
                filtered = try parseResponses(&s, field: "filtered_resps", nested: false)
            } else if s.bytes(key, equal: "resps") {
                s.skipWhitespace()
                respsOffset = s.position
                repeats = try field("resps") { try HarnessRecordParser.repeatsOfFirstRequest(&s) }
            } else if s.bytes(key, equal: "acc") {
                acc = try metric(&s, "acc")
            } else if s.bytes(key, equal: "acc_norm") {
                accNorm = try metric(&s, "acc_norm")
            } else if s.bytes(key, equal: "exact_match") {
                (exactMatch, exactMatchCount) = try metricOrList(&s, "exact_match")
            } else if s.bytes(key, equal: "filter") {
                filter = try field("filter") { try s.string() }
            } else if s.bytes(key, equal: "doc_hash") {
                docHashRange = try field("doc_hash") { try s.rawString() }
            } else if readsContinuationLengths && s.bytes(key, equal: "arguments") {
                lengths = try parseArguments(&s)
            } else {
                try s.skipValue()
            }
        }
        guard s.atEnd() else { throw s.error("unexpected text after the end of the record") }

        guard let docID else { throw HarnessRecordError(field: "doc_id", message: "missing") }
        var responsesField = "filtered_resps"
        if filtered == nil, let respsOffset {
            responsesField = "resps"
            var again = s
            again.position = respsOffset
            filtered = try parseResponses(&again, field: "resps", nested: true)
        }
        guard let (kind, lls, kept) = filtered else {
            throw HarnessRecordError(field: "filtered_resps", message: "missing (and no resps either)")
        }

        // The question's identity.
        var hash = ContentHash()
        if let question {
            scratch.removeAll(keepingCapacity: true)
            try field("doc.\(HarnessRecordParser.questionFields[question.priority])") {
                try s.decodeString(question.range, into: &scratch)
            }
            hash.update(scratch)
        } else if let docHashRange {
            hash.update(UnsafeBufferPointer(start: s.base + docHashRange.lowerBound, count: docHashRange.count))
        } else if let docRange {
            hash.update(UnsafeBufferPointer(start: s.base + docRange.lowerBound, count: docRange.count))
        } else {
            throw HarnessRecordError(field: "doc", message: "missing: the question is needed to identify the item")
        }

        var record = HarnessRecord(docID: docID, questionHash: hash, kind: kind, loglikelihoods: lls,
                                   acc: acc, accNorm: accNorm, exactMatch: exactMatch, filter: filter)
        record.repeats = repeats
        // Without filtered_resps the logged metric is per doc, whatever resps holds.
        record.keptAnswers = responsesField == "resps" ? 1 : kept
        record.exactMatchCount = exactMatchCount
        guard kind == .multipleChoice else { return record }

        guard lls.count >= 2 else {
            throw HarnessRecordError(field: responsesField,
                                     message: "a multiple-choice question needs at least 2 choices, found \(lls.count)")
        }
        if let bad = lls.firstIndex(where: { $0.isNaN }) {
            throw HarnessRecordError(field: responsesField,
                                     message: "log-likelihood of choice \(bad) is NaN")
        }
        record.gold = try gold(target: target, targetDescription: targetDescription,
                               docAnswer: docAnswer, docAnswerText: docAnswerText, choices: lls.count)
        if readsContinuationLengths {
            guard let lengths else {
                throw HarnessRecordError(field: "arguments",
                                         message: "missing, or without each choice's continuation (arg_1), which length normalisation needs")
            }
            guard lengths.count == lls.count else {
                throw HarnessRecordError(field: "arguments",
                                         message: "found \(lengths.count) continuations for \(lls.count) choices")
            }
            record.continuationLengths = lengths
        }
        return record
    }

    // MARK: - Gold

    private func gold(target: Int?, targetDescription: String, docAnswer: Int?, docAnswerText: String?,
                      choices: Int) throws -> Int {
        let gold: Int
        let source: String
        switch goldRule {
        case .target:
            guard let target else {
                throw HarnessRecordError(field: "target",
                                         message: "expected the gold choice index (task \(task)), found \(targetDescription)")
            }
            gold = target
            source = "target"
        case .docAnswerMinusOne:
            guard let docAnswer else {
                throw HarnessRecordError(field: "doc.answer",
                                         message: "expected the 1-based gold option (\"1\" or \"2\") for task \(task), found \(docAnswerText ?? "nothing")")
            }
            gold = docAnswer - 1
            source = "doc.answer"
        case .firstChoice:
            if let target, target != 0 {
                throw HarnessRecordError(field: "target",
                                         message: "task \(task) lists the correct answer first (gold 0), but target is \(target)")
            }
            gold = 0
            source = "rule"
        case .unsupported(let why):
            throw HarnessRecordError(field: "task", message: "\(task): \(why)")
        }
        guard gold >= 0 && gold < choices else {
            throw HarnessRecordError(field: source == "rule" ? "target" : source,
                                     message: "gold choice \(gold) is outside the \(choices) choices (0…\(choices - 1))")
        }
        return gold
    }

    // MARK: - Fields

    /// Runs `body`, labelling a syntax error with the field it happened in.
    private func field<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as JSONSyntaxError {
            throw HarnessRecordError(field: name, message: e.description)
        }
    }

    private func metric(_ s: inout JSONScanner, _ name: String) throws -> Double {
        try field(name) { try s.flexibleNumber() }
    }

    /// A metric that is a number, or a list of per-repeat numbers: (mean, how many).
    private func metricOrList(_ s: inout JSONScanner, _ name: String) throws -> (Double, Int) {
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

    /// The number of responses of the first request in `resps` (`[[r1, …, rk], …]`):
    /// the task's `repeats`. The rest of the value is skipped (grammar-checked).
    static func repeatsOfFirstRequest(_ s: inout JSONScanner) throws -> Int {
        guard try s.peekKind() == .array else {
            try s.skipValue()
            return 1
        }
        try s.beginArray()
        var first = true
        var repeats = 1
        var index = 0
        while try s.nextElement(&first) {
            if index == 0, try s.peekKind() == .array {
                try s.beginArray()
                var innerFirst = true
                var n = 0
                while try s.nextElement(&innerFirst) {
                    try s.skipValue()
                    n += 1
                }
                repeats = max(n, 1)
            } else {
                try s.skipValue()
            }
            index += 1
        }
        return repeats
    }

    private mutating func parseDocID(_ s: inout JSONScanner) throws -> String {
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
    private mutating func parseDoc(_ s: inout JSONScanner, question: inout (priority: Int, range: Range<Int>)?,
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
    private mutating func parseTarget(_ s: inout JSONScanner) throws -> (Int?, String) {
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

    /// `filtered_resps` (`nested` false) or `resps` (`nested` true, one more list level per choice).
    private func parseResponses(_ s: inout JSONScanner, field name: String,
                                nested: Bool) throws -> (kind: HarnessRecord.Kind, lls: [Double], kept: Int) {
        try field(name) {
            var lls: [Double] = []
            var kind: HarnessRecord.Kind?
            var kept = 1
            try s.beginArray()
            var first = true
            var index = 0
            while try s.nextElement(&first) {
                if nested {
                    // [[ll, greedy]] or ["text"]: look inside the one-element wrapper.
                    guard try s.peekKind() == .array else {
                        throw s.error("element \(index): expected a list ([[loglikelihood, is_greedy]] or [\"text\"])")
                    }
                    try s.beginArray()
                    var innerFirst = true
                    guard try s.nextElement(&innerFirst) else {
                        throw s.error("element \(index): empty list")
                    }
                    let (k, ll, _) = try parseResponse(&s, index: index)
                    if let kind, kind != k { throw s.error("element \(index): mixes \(k.rawValue) and \(kind.rawValue) responses") }
                    kind = k
                    if let ll { lls.append(ll) }
                    while try s.nextElement(&innerFirst) { try s.skipValue() }
                } else {
                    let (k, ll, answers) = try parseResponse(&s, index: index)
                    if let kind, kind != k { throw s.error("element \(index): mixes \(k.rawValue) and \(kind.rawValue) responses") }
                    kind = k
                    if let ll { lls.append(ll) }
                    if index == 0 { kept = answers }
                }
                index += 1
            }
            guard let kind else { throw s.error("empty list: no responses") }
            return (kind, lls, kept)
        }
    }

    /// One response: a `[loglikelihood, is_greedy]` pair (multiple-choice), a
    /// string (generation), or a list of the k answers a filter kept of a
    /// task's k repeats (generation, `answers` = k). A two-element list is a
    /// pair when it holds a number and then a boolean (`true`, `"False"`).
    private func parseResponse(_ s: inout JSONScanner, index: Int) throws -> (HarnessRecord.Kind, Double?, answers: Int) {
        switch try s.peekKind() {
        case .array:
            let start = s.position
            try s.beginArray()
            var first = true
            guard try s.nextElement(&first) else {
                throw s.error("element \(index): expected a [loglikelihood, is_greedy] pair, found an empty list")
            }
            if try s.peekKind() == .string, let pair = try loglikelihoodPair(&s) {
                return (.multipleChoice, pair, 1)
            } else if try s.peekKind() != .string {
                let ll = try s.flexibleNumber()
                while try s.nextElement(&first) { try s.skipValue() }
                return (.multipleChoice, ll, 1)
            }
            // A list of generated answers (strings), one per repeat.
            s.position = start
            try s.beginArray()
            first = true
            var answers = 0
            while try s.nextElement(&first) {
                guard try s.peekKind() == .string else {
                    throw s.error("element \(index): expected a [loglikelihood, is_greedy] pair or a list of generated answers (strings)")
                }
                _ = try s.rawString()
                answers += 1
            }
            return (.generation, nil, answers)
        case .string:
            _ = try s.rawString()
            return (.generation, nil, 1)
        default:
            throw s.error("element \(index): expected a [loglikelihood, is_greedy] pair (multiple-choice) or a string (generation); "
                          + "perplexity tasks (bare numbers) have no per-question score")
        }
    }

    /// Inside a list whose first element is a string: the log-likelihood when
    /// the list is `["<number>", <boolean or "True"/"False">]` (the list then
    /// consumed), else nil with the scanner where it was.
    private func loglikelihoodPair(_ s: inout JSONScanner) throws -> Double? {
        let start = s.position
        let range = try s.rawString()
        guard let ll = try? s.parseDouble(range, strict: false) else {
            s.position = start
            return nil
        }
        var first = false
        guard try s.nextElement(&first) else { s.position = start; return nil }
        let flag = s.position
        let isBoolean: Bool
        switch try s.peekKind() {
        case .literal:
            try s.skipValue()
            let text = UnsafeBufferPointer(start: s.base + flag, count: s.position - flag)
            isBoolean = text.elementsEqual("true".utf8) || text.elementsEqual("false".utf8)
        case .string:
            let r = try s.rawString()
            let text = UnsafeBufferPointer(start: s.base + r.lowerBound, count: r.count)
            isBoolean = text.elementsEqual("True".utf8) || text.elementsEqual("False".utf8)
                || text.elementsEqual("true".utf8) || text.elementsEqual("false".utf8)
        default:
            isBoolean = false
        }
        guard isBoolean, try !s.nextElement(&first) else { s.position = start; return nil }
        return ll
    }

    /// The continuation length (characters, less a leading space) of each choice in `arguments`.
    private mutating func parseArguments(_ s: inout JSONScanner) throws -> [Int]? {
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
