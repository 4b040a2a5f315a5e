import Foundation
import Store

/// Writes the `SampleRun`s of the Inspect, HELM and OpenCompass ingesters
/// into a response file, through the same `ResponseFileTarget` path as
/// lm-eval and tables (atomic new files, `--append`, `--replace`).
///
/// * Runs of the same (model, task) are duplicates (a re-run, a cancelled
///   try): the highest `rank` is kept and a note names the others.
/// * Task names declared equal (`sameQuestions`, from `--same-questions
///   A=B`) are renamed first, so their questions share columns.
/// * One row per model; its tasks fill their own columns.
/// * The kind follows the data: `proportion` (with `/trials`) when any
///   question was sampled more than once, `binary` when every response is
///   a single 0/1, `probability` otherwise. Appending binary answers to a
///   probability file writes them as probabilities.
/// * When a run's question ids differ from those the file already has for
///   its task, a note says how (none shared: probably another question
///   set, or the same one under another task name).
///
/// Memory: the runs' per-question sums (read first, since the kind must be
/// known before the file is created), one row, and `/trials` rows for a
/// proportion file; never the input files.
public struct SampleMatrixIngest {
    public var output: String
    public var append: Bool
    public var replace: Bool
    public var benchmarkMap: BenchmarkMap
    /// Task renames: a task named like a key is read as the value.
    public var sameQuestions: [String: String]

    public init(output: String, append: Bool = false, replace: Bool = false,
                benchmarkMap: BenchmarkMap = BenchmarkMap(), sameQuestions: [String: String] = [:]) {
        self.output = output
        self.append = append || replace
        self.replace = replace
        self.benchmarkMap = benchmarkMap
        self.sameQuestions = sameQuestions
    }

    /// Parses `A=B,C=D` (`--same-questions`): task A's questions are task B's.
    public static func parseSameQuestions(_ text: String) throws -> [String: String] {
        var map: [String: String] = [:]
        for rule in text.split(separator: ",") {
            let parts = rule.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != parts[1] else {
                throw IngestError(file: "--same-questions", message: "expected TASK=TASK pairs, e.g. nl2bash_completion_task=nl2bash_chat_task; found \"\(rule)\"")
            }
            map[parts[0]] = parts[1]
        }
        return map
    }

    /// Writes `runs`; `summary` carries what the reader measured (bytes, records, seconds).
    public func write(_ input: [SampleRun], summary: inout IngestSummary, log: (String) -> Void) throws {
        var notes: [String] = []
        func note(_ text: String) { notes.append(text); log(text) }
        var runs: [SampleRun] = []
        var kept: [String: Int] = [:]
        var dropped: [String: [SampleRun]] = [:]
        for var run in input {
            if let canonical = sameQuestions[run.task] { run.task = canonical }
            if run.isEmpty {
                note("\(run.source): no scored samples for \(run.model), \(run.task); skipped")
                continue
            }
            let key = run.model + "\u{0}" + run.task
            if let i = kept[key] {
                if run.rank.lexicographicallyPrecedes(runs[i].rank) {
                    dropped[key, default: []].append(run)
                } else {
                    dropped[key, default: []].append(runs[i])
                    runs[i] = run
                }
            } else {
                kept[key] = runs.count
                runs.append(run)
            }
        }
        for (key, others) in dropped.sorted(by: { $0.key < $1.key }) {
            let run = runs[kept[key]!]
            note("\(run.model), \(run.task): \(others.count + 1) runs; kept \(run.source) (\(run.describe)), "
                 + "not " + others.map { "\($0.source) (\($0.describe))" }.joined(separator: ", "))
        }
        guard !runs.isEmpty else {
            throw IngestError(file: summary.output, message: "no scored samples in the inputs; nothing to write")
        }
        var kind: ResponseKind = runs.contains { $0.hasRepeats } ? .proportion : (runs.allSatisfy { $0.isBinary } ? .binary : .probability)
        if append, kind == .binary, FileManager.default.fileExists(atPath: output),
           let info = try? ResponseFileInfo.read(output), info.kind == .probability {
            kind = .probability
        }
        var models: [String] = []
        var runsOfModel: [String: [Int]] = [:]
        for (i, run) in runs.enumerated() {
            if runsOfModel[run.model] == nil { models.append(run.model) }
            runsOfModel[run.model, default: []].append(i)
        }
        summary.kind = kind
        summary.outcome = try ResponseFileTarget.write(output: output, kind: kind, append: append, log: { note($0) }) { writer in
            let itemsBefore = writer.catalog.count
            var taskItems = TaskItems(existing: writer.catalog.ids)
            var trialRows: [[Int32]] = []
            for model in models {
                if writer.contains(model: model) && !replace {
                    throw IngestError(file: output, message: "model \"\(model)\" is already in the file; use --replace to overwrite its answers")
                }
                var row: [Float] = []
                var trialRow: [Int32] = []
                for i in runsOfModel[model]! {
                    let run = runs[i]
                    let benchmark = benchmarkMap.benchmark(for: run.task)
                    if let message = taskItems.compare(run) { note(message) }
                    for q in run.questions.indices {
                        let column = try writer.catalog.column(id: StableItemID.make(task: run.task, question: run.questions[q]),
                                                               benchmark: benchmark, floor: run.floor, source: run.source)
                        if column >= row.count {
                            row.append(contentsOf: repeatElement(Float.nan, count: column + 1 - row.count))
                            trialRow.append(contentsOf: repeatElement(0, count: column + 1 - trialRow.count))
                        }
                        row[column] = Float(run.sums[q] / Double(run.trials[q]))
                        trialRow[column] = run.trials[q]
                    }
                    var line = "\(model): \(run.task): \(run.questions.count) questions"
                    if run.hasRepeats { line += ", \(run.trials.reduce(0, +)) samples" }
                    line += String(format: ", mean %.6f", run.meanScore)
                    if let (name, value) = run.aggregate {
                        line += String(format: " (the harness's %@: %.6f)", name, value)
                    }
                    log(line)
                }
                try writer.addModel(ModelMetadata(name: model), values: row, replace: replace)
                if kind == .proportion { trialRows.append(trialRow) }
            }
            if kind == .proportion {
                try writer.writeTrials(trialRows)
            }
            summary.models = writer.modelNames.count
            summary.items = writer.catalog.count
            summary.newItems = writer.catalog.count - itemsBefore
            summary.newModels = writer.newModels
            summary.replacedModels = writer.replacedModels
        }
        summary.notes += notes
    }
}

/// The question ids known for each task, to say when a new run's ids differ.
struct TaskItems {
    private var existing: [String]
    private var known: [String: Set<String>] = [:]

    init(existing ids: [String]) { existing = ids }

    /// A note when `run`'s questions differ from those already known for its task.
    mutating func compare(_ run: SampleRun) -> String? {
        let prefix = run.task + "/"
        if known[run.task] == nil {
            // Items of an appended-to file: their ids (less any lm-eval "#hash") under this task.
            known[run.task] = Set(existing.lazy.filter { $0.hasPrefix(prefix) }
                .map { String(ItemCatalog.split($0).key.dropFirst(prefix.count)) })
        }
        let before = known[run.task]!
        let mine = Set(run.questions)
        known[run.task]!.formUnion(mine)
        if before.isEmpty {
            // A new task name whose ids are exactly another task's: perhaps the same questions
            // (not said for plain 1..N integer ids, which every small task shares by construction).
            if mine.contains(where: { Int($0) == nil }), let twin = known.first(where: { $0.key != run.task && $0.value == mine })?.key {
                return "\(run.source): task \(run.task) has exactly the \(mine.count) question ids of task \(twin); "
                    + "if they are the same questions, say so with --same-questions \(run.task)=\(twin) to share the columns"
            }
            return nil
        }
        guard before != mine else { return nil }
        let shared = before.intersection(mine).count
        if shared == 0 {
            return "\(run.source): none of the \(mine.count) question ids of \(run.model), task \(run.task), is among the \(before.count) "
                + "the file already has for that task: they become new columns (another question set? if it is the same one under "
                + "other ids, they cannot be aligned)"
        }
        return "\(run.source): \(run.model), task \(run.task): \(shared) of its \(mine.count) question ids match the \(before.count) "
            + "already there; \(mine.count - shared) new, \(before.count - shared) not answered (missing)"
    }
}
