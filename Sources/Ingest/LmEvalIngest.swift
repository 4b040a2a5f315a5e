import Foundation
import Store

/// What an ingest did, for the command's report.
public struct IngestSummary {
    public var output: String
    public var outcome: ResponseFileTarget.Outcome
    public var kind: ResponseKind
    /// Shape of the file written.
    public var models: Int
    public var items: Int
    public var newModels: [String]
    public var replacedModels: [String]
    public var newItems: Int
    /// Input read (JSONL or CSV).
    public var bytesRead: Int
    public var linesRead: Int
    /// Seconds spent reading and parsing the input (excludes HDF5 writes).
    public var parseSeconds: Double
    /// Wall-clock seconds of the whole ingest.
    public var seconds: Double
    /// Malformed lines skipped (`--skip-bad-lines`).
    public var badLines: Int
    /// Records repeating a doc_id already read from the same file (one per harness filter); the first is kept.
    public var repeatedRecords: Int
    /// Choices made along the way (re-run files, skipped lines, missing floors, ...).
    public var notes: [String]

    /// Input megabytes (1e6 bytes) per second of parsing.
    public var megabytesPerSecond: Double {
        parseSeconds > 0 ? Double(bytesRead) / 1e6 / parseSeconds : 0
    }
}

/// `irsl ingest lm-eval`: lm-evaluation-harness samples files → response file.
///
/// Each model's samples files are streamed line by line (`JSONLinesReader`,
/// `HarnessRecordParser`), scored (`ResponseScoring`), placed in the
/// columns of their items (`ItemCatalog`: `<task>/<doc_id>#<hash>`, shared
/// by all models) and written as one row (`ResponseMatrixWriter`) before
/// the next model is read. Memory: one row, one file's doc_id set and the
/// metadata; never a whole file, never the matrix.
///
/// Within one file a doc_id may repeat: the harness logs one line per
/// filter of a generation task (gsm8k's strict and flexible answer
/// extraction), without saying which unless it logs `filter`. The first
/// line is kept (the task's first filter), or, with `filter` set, the lines
/// of that filter; the repeats must hold the same question.
///
/// Tasks with `repeats: k` whose k answers are each scored (see
/// `ResponseScoring.trials`) make the file `proportion`, with `/trials`:
/// the kind must be known before the file is created, so the first record
/// of each file (of the filter used) is read first to decide it; the trial
/// counts are kept per model (int32 per item) and written at the end.
public struct LmEvalIngest {
    public var paths: [String]
    public var output: String
    /// Model name for a single file or model directory.
    public var model: String?
    /// Tasks to keep (all when nil).
    public var tasks: GlobList?
    public var scoring: ResponseScoring
    public var benchmarkMap: BenchmarkMap
    public var append: Bool
    public var replace: Bool
    /// Skip (and count) malformed lines instead of stopping at the first.
    public var skipBadLines: Bool
    /// Keep only records logged with this `filter` (records without one are kept).
    public var filter: String?

    public init(paths: [String], output: String, model: String? = nil, tasks: GlobList? = nil,
                scoring: ResponseScoring = ResponseScoring(mode: .probability),
                benchmarkMap: BenchmarkMap = BenchmarkMap(), append: Bool = false, replace: Bool = false,
                skipBadLines: Bool = false, filter: String? = nil) {
        self.paths = paths
        self.output = output
        self.model = model
        self.tasks = tasks
        self.scoring = scoring
        self.benchmarkMap = benchmarkMap
        self.append = append
        self.replace = replace
        self.skipBadLines = skipBadLines
        self.filter = filter
    }

    /// Runs the ingest; `log` receives one line per model and any notes as they happen.
    @discardableResult
    public func run(log: (String) -> Void = { _ in }) throws -> IngestSummary {
        let started = Date()
        let (runs, discoveryNotes) = try HarnessLayout.discover(paths: paths, model: model, tasks: tasks)
        guard !runs.isEmpty else {
            throw IngestError(file: paths.joined(separator: " "),
                              message: "no samples files for the tasks \(tasks?.description ?? "") selected")
        }
        discoveryNotes.forEach(log)
        let kind = try scoresRepeats(runs) ? ResponseKind.proportion : scoring.responseKind
        var summary = IngestSummary(output: output, outcome: .created, kind: kind, models: 0, items: 0,
                                    newModels: [], replacedModels: [], newItems: 0, bytesRead: 0, linesRead: 0,
                                    parseSeconds: 0, seconds: 0, badLines: 0, repeatedRecords: 0, notes: discoveryNotes)
        summary.outcome = try ResponseFileTarget.write(output: output, kind: kind, append: append,
                                                       log: { log($0); summary.notes.append($0) }) { writer in
            let itemsBefore = writer.catalog.count
            var trialRows: [[Int32]] = []
            for run in runs {
                if writer.contains(model: run.model) && !replace {
                    throw IngestError(file: output, message: "model \"\(run.model)\" is already in the file; use --replace to overwrite its answers")
                }
                let modelStart = Date()
                var row: [Float] = []
                var trials: [Int32]? = kind == .proportion ? [] : nil
                var bytes = 0
                var records = 0
                for file in run.files {
                    let read = try ingest(file, into: &row, trials: &trials, catalog: &writer.catalog, summary: &summary, log: log)
                    bytes += read.bytes
                    records += read.records
                }
                let parsed = Date().timeIntervalSince(modelStart)
                summary.parseSeconds += parsed
                try writer.addModel(ModelMetadata(name: run.model), values: row, replace: replace)
                if let trials { trialRows.append(trials) }
                let answered = row.reduce(0) { $1.isNaN ? $0 : $0 + 1 }
                log(String(format: "%@: %d tasks, %d items answered, %.1f MB in %.2f s (%.0f MB/s)",
                           run.model, run.files.count, answered, Double(bytes) / 1e6, parsed,
                           parsed > 0 ? Double(bytes) / 1e6 / parsed : 0))
            }
            if kind == .proportion { try writer.writeTrials(trialRows) }
            summary.models = writer.modelNames.count
            summary.items = writer.catalog.count
            summary.newItems = writer.catalog.count - itemsBefore
            summary.newModels = writer.newModels
            summary.replacedModels = writer.replacedModels
        }
        summary.seconds = Date().timeIntervalSince(started)
        if summary.badLines > 0 {
            summary.notes.append("skipped \(summary.badLines) malformed line(s) (--skip-bad-lines)")
        }
        return summary
    }

    /// Whether some file's records score several answers per doc (repeats):
    /// decided from each file's first record of the filter used, since a
    /// task logs every doc alike. Unreadable lines are left to the main pass.
    private func scoresRepeats(_ runs: [HarnessModelRun]) throws -> Bool {
        /// Thrown to stop reading a file at its first usable record.
        struct FirstRecord: Error { let repeats: Bool }
        for run in runs {
            for file in run.files {
                var parser = HarnessRecordParser(task: file.task)
                do {
                    // A small buffer (grown for a longer line): only the first record is wanted.
                    try JSONLinesReader(path: file.path, bufferSize: 1 << 16).forEachLine { _, line in
                        guard !JSONLinesReader.isBlank(line), let record = try? parser.parse(line) else { return }
                        if let filter, let logged = record.filter, logged != filter { return }
                        throw FirstRecord(repeats: scoring.trials(record) > 1)
                    }
                } catch let first as FirstRecord where first.repeats {
                    return true
                } catch is FirstRecord {
                    continue
                }
            }
        }
        return false
    }

    /// Reads one samples file into `row` (and, for a proportion file, `trials`); returns bytes and records read.
    private func ingest(_ file: HarnessTaskFile, into row: inout [Float], trials: inout [Int32]?, catalog: inout ItemCatalog,
                        summary: inout IngestSummary, log: (String) -> Void) throws -> (bytes: Int, records: Int) {
        var parser = HarnessRecordParser(task: file.task, readsContinuationLengths: scoring.needsContinuationLengths)
        let benchmark = benchmarkMap.benchmark(for: file.task)
        let taskColumns = catalog.columns(forTask: file.task)
        // The line where each column was first filled from this file (0: not yet), for repeated doc_ids.
        var firstLine = [Int32](repeating: 0, count: catalog.count)
        var taskKind: (kind: HarnessRecord.Kind, line: Int)?
        var records = 0
        var badLines = 0
        // The filters the file logs, in order (v0.4.7+: each doc once per filter, the first filter's rows first).
        var filters: [String] = []
        // Repeats met (the task's k) and how many answers per doc were scored.
        var repeats = 1, scored: Int32 = 1
        let reader = JSONLinesReader(path: file.path)
        let bytes = try reader.forEachLine { number, line in
            summary.linesRead += 1
            if JSONLinesReader.isBlank(line) { return }
            let record: HarnessRecord
            let value: Float
            let answers: Int32
            do {
                record = try parser.parse(line)
                if let logged = record.filter, !filters.contains(logged) { filters.append(logged) }
                if let filter, let logged = record.filter, logged != filter { return }
                value = try scoring.value(record)
                answers = scoring.trials(record)
            } catch let error as JSONSyntaxError {
                guard skipBadLines else {
                    throw IngestError(file: file.path, line: number, message: "malformed JSON: \(error)")
                }
                badLines += 1
                if badLines <= 3 { log("\(file.path): line \(number): skipped: malformed JSON: \(error)") }
                return
            } catch let error as HarnessRecordError {
                guard skipBadLines else {
                    throw IngestError(file: file.path, line: number, message: error.description)
                }
                badLines += 1
                if badLines <= 3 { log("\(file.path): line \(number): skipped: \(error)") }
                return
            }
            if let (kind, first) = taskKind, kind != record.kind {
                throw IngestError(file: file.path, line: number,
                                  message: "a \(record.kind.rawValue) record in a task whose line \(first) is \(kind.rawValue)")
            }
            if taskKind == nil { taskKind = (record.kind, number) }
            if let known = taskColumns.columnOfDoc[record.docID], known < firstLine.count, firstLine[known] != 0 {
                // A repeated doc_id in this file (one line per filter): the first line counts.
                guard catalog.matches(known, hash: record.questionHash) else {
                    throw IngestError(file: file.path, line: number,
                                      message: "doc_id \(record.docID) was a different question at line \(firstLine[known])")
                }
                summary.repeatedRecords += 1
                return
            }
            let column = try catalog.column(in: taskColumns, docID: record.docID, hash: record.questionHash,
                                            benchmark: benchmark, floor: record.floor, source: file.path,
                                            location: "line \(number)")
            if column >= row.count {
                row.append(contentsOf: repeatElement(Float.nan, count: column + 1 - row.count))
            }
            if column >= firstLine.count {
                firstLine.append(contentsOf: repeatElement(0, count: column + 1 - firstLine.count))
            }
            firstLine[column] = Int32(truncatingIfNeeded: max(number, 1))
            row[column] = value
            repeats = max(repeats, record.repeats)
            scored = max(scored, answers)
            if trials != nil {
                if column >= trials!.count { trials!.append(contentsOf: repeatElement(0, count: column + 1 - trials!.count)) }
                trials![column] = answers
            } else if answers > 1 {
                throw IngestError(file: file.path, line: number,
                                  message: "\(answers) scored answers (repeats) for this doc, but the file's first record has one; "
                                    + "the records of a task must agree")
            }
            records += 1
        }
        summary.bytesRead += bytes
        summary.badLines += badLines
        if let filter, !filters.isEmpty, !filters.contains(filter) {
            log("\(file.path): no records of filter \(filter) (--filter); it logs \(filters.joined(separator: ", "))")
        } else if filter == nil && filters.count > 1 {
            log("\(file.path): filters \(filters.joined(separator: ", ")); used \(filters[0]) (the task's first; choose with --filter)")
        } else if let used = filter ?? filters.first, used != "none" {
            log("\(file.path): filter \(used)")
        }
        if repeats > 1 {
            log(scored > 1
                ? "\(file.path): repeats \(repeats), each answer scored: successes out of \(scored) trials per doc"
                : "\(file.path): repeats \(repeats), reduced to one answer per doc by the filter (\(filter ?? filters.first ?? "none")); "
                    + "per-repeat results are not logged")
        }
        if badLines > 3 { log("\(file.path): \(badLines - 3) more malformed line(s) skipped") }
        if records == 0 && badLines == 0 {
            log("\(file.path): no records")
        }
        return (bytes, records)
    }
}

extension JSONLinesReader {
    /// Whether a line holds only whitespace (blank lines are skipped, not errors).
    public static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
