/// What one line of an lm-evaluation-harness samples file (`--log_samples`)
/// says about one question, reduced to the fields a response matrix needs.
public struct HarnessRecord {
    /// Multiple-choice (log-likelihood per choice) or generation (text answer).
    public enum Kind: String {
        case multipleChoice = "multiple-choice"
        case generation
    }

    /// `doc_id` as text ("17"): the question's position in the task's split.
    public var docID: String
    /// Hash of the question text (see `ContentHash`, `HarnessRecordParser.questionFields`).
    public var questionHash: ContentHash
    public var kind: Kind
    /// Log-likelihood of each choice, in choice order (multiple-choice only).
    public var loglikelihoods: [Double]
    /// Characters in each choice's continuation (`arguments[k].arg_1`, less
    /// the leading space delimiter), for length normalisation; empty unless
    /// the parser was asked for them.
    public var continuationLengths: [Int]
    /// Index of the correct choice (multiple-choice only; -1 for generation).
    public var gold: Int
    /// The `acc` metric (0 or 1), when logged.
    public var acc: Double?
    /// The `acc_norm` metric, when logged.
    public var accNorm: Double?
    /// The `exact_match` metric (generation tasks), when logged.
    public var exactMatch: Double?
    /// The `filter` name, when logged (newer harness versions log one line per filter).
    public var filter: String?
    /// Responses per request in `resps` (the task's `repeats`; 1 for most tasks).
    public var repeats: Int = 1
    /// Answers the filter kept per request in `filtered_resps`: `repeats`
    /// when it keeps them all (a list per request), 1 when it reduced them to
    /// one (`take_first`, `majority_vote`).
    public var keptAnswers: Int = 1
    /// How many values `exact_match` held: 1 for a number, k for a list of k
    /// per-repeat scores (then `exactMatch` is their mean).
    public var exactMatchCount: Int = 1

    public init(docID: String, questionHash: ContentHash, kind: Kind, loglikelihoods: [Double] = [],
                continuationLengths: [Int] = [], gold: Int = -1, acc: Double? = nil, accNorm: Double? = nil,
                exactMatch: Double? = nil, filter: String? = nil) {
        self.docID = docID
        self.questionHash = questionHash
        self.kind = kind
        self.loglikelihoods = loglikelihoods
        self.continuationLengths = continuationLengths
        self.gold = gold
        self.acc = acc
        self.accNorm = accNorm
        self.exactMatch = exactMatch
        self.filter = filter
    }

    /// Choices offered (multiple-choice), 0 for generation.
    public var choiceCount: Int { kind == .multipleChoice ? loglikelihoods.count : 0 }

    /// The chance level of the item: 1/choices for multiple-choice, 0 for generation.
    public var floor: Double { kind == .multipleChoice ? 1 / Double(loglikelihoods.count) : 0 }

    /// The choice with the highest log-likelihood; ties go to the first, as
    /// the harness's `np.argmax` does.
    public var argmaxChoice: Int {
        argmax(loglikelihoods)
    }

    /// The choice with the highest log-likelihood per character (the
    /// harness's `acc_norm` prediction); needs `continuationLengths`.
    public var argmaxNormalisedChoice: Int {
        argmax(zip(loglikelihoods, continuationLengths).map { $0 / Double(max($1, 1)) })
    }

    private func argmax(_ values: [Double]) -> Int {
        var best = -1
        var bestValue = -Double.infinity
        for (k, v) in values.enumerated() where best < 0 || v > bestValue {
            best = k
            bestValue = v
        }
        return best
    }
}
