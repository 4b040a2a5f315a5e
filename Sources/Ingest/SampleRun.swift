/// One model's scored answers to one task, as read from one harness run
/// (an Inspect log, a HELM run directory, an OpenCompass predictions file):
/// per question the sum of its samples' scores and how many samples were
/// scored. Several epochs / repeats / trials of a question add up here, so a
/// question answered k times becomes successes out of k trials.
///
/// Question ids are the harness's own (Inspect `sample.id`, HELM
/// `instance.id`, OpenCompass index), as text; the item id is
/// `StableItemID.make(task:question:)`.
public struct SampleRun {
    public var model: String
    /// The task identity the items are named after (Inspect `eval.task`, a HELM scenario, a dataset abbr).
    public var task: String
    /// The file or directory read, for messages.
    public var source: String
    /// Orders runs of the same (model, task): the highest is kept (e.g. finished before cancelled, then newest).
    public var rank: [String]
    /// Words describing the run for the note that says which duplicate was kept (e.g. "success, 2025-05-12").
    public var describe: String
    /// The harness's own aggregate over the questions, when it states one: name and value.
    public var aggregate: (name: String, value: Double)?
    /// Chance level of the task's questions, when known (0 otherwise).
    public var floor: Double?

    public private(set) var questions: [String] = []
    public private(set) var sums: [Double] = []
    public private(set) var trials: [Int32] = []
    private var index: [String: Int] = [:]

    public init(model: String, task: String, source: String, rank: [String] = [], describe: String = "") {
        self.model = model
        self.task = task
        self.source = source
        self.rank = rank
        self.describe = describe
    }

    /// Adds one scored sample of `question` (a value in [0, 1]).
    public mutating func add(question: String, value: Double) {
        if let i = index[question] {
            sums[i] += value
            trials[i] += 1
        } else {
            index[question] = questions.count
            questions.append(question)
            sums.append(value)
            trials.append(1)
        }
    }

    public var isEmpty: Bool { questions.isEmpty }
    /// Whether some question has more than one scored sample.
    public var hasRepeats: Bool { trials.contains { $0 > 1 } }
    /// Whether every question's response (mean over its samples) is 0 or 1 with one sample.
    public var isBinary: Bool { zip(sums, trials).allSatisfy { $1 == 1 && ($0 == 0 || $0 == 1) } }
    /// The mean over questions of each question's mean score: what harnesses report as accuracy.
    public var meanScore: Double {
        guard !questions.isEmpty else { return .nan }
        var total = 0.0
        for i in sums.indices { total += sums[i] / Double(trials[i]) }
        return total / Double(questions.count)
    }
}

/// The item id every ingester gives a question: `<task>/<question id>`.
///
/// Why one rule: rows from different harnesses or runs align by item id
/// alone, so two runs share a column exactly when they name the same task
/// and question. lm-eval ids add `#<content hash>` after the same key
/// (`ItemCatalog`), which checks the question text too. Task names that
/// hold the same questions (Inspect's nl2bash completion and chat tasks)
/// are declared with `--same-questions`; ids are never guessed equal.
public enum StableItemID {
    public static func make(task: String, question: String) -> String { "\(task)/\(question)" }
}

extension IngestSummary {
    /// A summary with nothing read or written yet, for `output`.
    public static func empty(output: String) -> IngestSummary {
        IngestSummary(output: output, outcome: .created, kind: .binary, models: 0, items: 0, newModels: [],
                      replacedModels: [], newItems: 0, bytesRead: 0, linesRead: 0, parseSeconds: 0, seconds: 0,
                      badLines: 0, repeatedRecords: 0, notes: [])
    }
}
