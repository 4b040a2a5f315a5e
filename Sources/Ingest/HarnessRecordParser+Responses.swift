/// The responses of a record: `filtered_resps` or `resps`, which tell a
/// multiple-choice record (log-likelihood pairs) from a generation record
/// (strings), and the task's repeats. Its own file because the shapes vary
/// most between harness versions.
extension HarnessRecordParser {
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

    /// `filtered_resps` (`nested` false) or `resps` (`nested` true, one more list level per choice).
    func parseResponses(_ s: inout JSONScanner, field name: String,
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
}
