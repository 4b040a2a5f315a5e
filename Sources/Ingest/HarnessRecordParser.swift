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
///
/// This file walks the record and assembles it; the fields are read in
/// HarnessRecordParser+Fields, +Responses, +Arguments and +Gold.swift.
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
    var scratch: [UInt8] = []

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

    /// Runs `body`, labelling a syntax error with the field it happened in.
    func field<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as JSONSyntaxError {
            throw HarnessRecordError(field: name, message: e.description)
        }
    }
}
