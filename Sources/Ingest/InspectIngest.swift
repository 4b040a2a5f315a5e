import Foundation
import Store

/// `irsl ingest inspect`: Inspect AI eval logs (`.eval`, `.json`) → response file.
///
/// Each log is one (task, model) run: the model is `eval.model`, the items
/// are `<eval.task>/<sample id>` (`StableItemID`), the response of a sample
/// is its score under one scorer (`scorer`, default the log's first),
/// mapped to [0, 1] by `valueMap`. Several epochs of a sample add up to
/// successes out of trials (`SampleRun`), which makes the file a
/// `proportion` one. Errored or unscored samples (`scores: {}`) are
/// missing, not wrong, exactly as Inspect's own metrics treat them.
public struct InspectIngest {
    public var paths: [String]
    public var scorer: String?
    public var valueMap: ScoreValueMap
    /// Skip samples whose score cannot be read (and count them) instead of stopping.
    public var skipBadSamples: Bool
    public var matrix: SampleMatrixIngest

    public init(paths: [String], matrix: SampleMatrixIngest, scorer: String? = nil,
                valueMap: ScoreValueMap = ScoreValueMap(), skipBadSamples: Bool = false) {
        self.paths = paths
        self.matrix = matrix
        self.scorer = scorer
        self.valueMap = valueMap
        self.skipBadSamples = skipBadSamples
    }

    /// The log files under `paths`: files as given (any name), directories searched for `*.eval` and `*.json`.
    public static func discover(_ paths: [String]) throws -> [(path: String, explicit: Bool)] {
        var found: [(String, Bool)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw IngestError(file: path, message: "no such file or directory")
            }
            guard isDirectory.boolValue else { found.append((path, true)); continue }
            let enumerator = FileManager.default.enumerator(atPath: path)
            var names: [String] = []
            while let name = enumerator?.nextObject() as? String {
                let base = (name as NSString).lastPathComponent
                if (base.hasSuffix(".eval") || base.hasSuffix(".json")) && base != "logs.json" { names.append(name) }
            }
            for name in names.sorted() { found.append(((path as NSString).appendingPathComponent(name), false)) }
        }
        return found
    }

    @discardableResult
    public func run(log: (String) -> Void = { _ in }, progress: ((Int, Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        let files = try InspectIngest.discover(paths)
        guard !files.isEmpty else { throw IngestError(file: paths.joined(separator: " "), message: "no .eval or .json logs found") }
        var summary = IngestSummary.empty(output: matrix.output)
        var runs: [SampleRun] = []
        for (index, file) in files.enumerated() {
            let inspectLog: InspectLog
            do {
                inspectLog = try InspectLog.read(file.path)
            } catch let error as IngestError where !file.explicit && error.location.isEmpty {
                // A directory may hold other JSON (configs, indexes): skip what is not a log at all.
                log("\(file.path): skipped, not an Inspect log (\(error.message))")
                continue
            }
            inspectLog.warnings.forEach { log($0); summary.notes.append($0) }
            summary.bytesRead += inspectLog.bytes
            runs.append(try run(of: inspectLog, summary: &summary, log: log))
            progress?(index + 1, files.count, summary.bytesRead)
        }
        summary.parseSeconds = Date().timeIntervalSince(started)
        try matrix.write(runs, summary: &summary, log: log)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// One log's scored samples as a `SampleRun`.
    public func run(of inspectLog: InspectLog, summary: inout IngestSummary, log: (String) -> Void) throws -> SampleRun {
        let header = inspectLog.header
        let path = inspectLog.path
        let status = header.status ?? "unknown"
        var run = SampleRun(model: header.eval.model, task: header.eval.task, source: path,
                            rank: [status == "success" ? "1" : "0", header.eval.created ?? ""],
                            describe: "\(status), \(header.eval.created ?? "no date")")
        let chosen = scorer ?? header.results?.firstScorer ?? firstScorer(inspectLog.samples)
        var errored = 0, unscored = 0
        var idTypes: [String: Bool] = [:]  // question text → was it a string id (1 and "1" must not merge)
        func question(_ id: JSONValue, _ at: String) throws -> String {
            let isString: Bool
            switch id {
            case .string: isString = true
            case .int: isString = false
            default:
                throw IngestError(file: path, location: at, message: "id: expected an integer or a string, found \(id.typeName) \(id.quoted)")
            }
            let text = id.description
            if let known = idTypes[text], known != isString {
                throw IngestError(file: path, location: at,
                                  message: "id: \(text) appears both as an integer and as a string id; they would share one item")
            }
            idTypes[text] = isString
            return text
        }
        func add(_ value: JSONValue, id: JSONValue, at: String) throws {
            switch valueMap.response(value) {
            case .success(let x): run.add(question: try question(id, at), value: x)
            case .failure(let error):
                guard skipBadSamples else { throw IngestError(file: path, location: at, message: "value: \(error)") }
                summary.badLines += 1
                if summary.badLines <= 3 { log("\(path): \(at): skipped: \(error)") }
            }
        }
        for sample in inspectLog.samples {
            summary.linesRead += 1
            let at = "sample \(sample.id.quoted) epoch \(sample.epoch ?? 1)"
            if let single = sample.score {  // log version 1
                try add(single.value, id: sample.id, at: at + ", score")
                continue
            }
            guard let scores = sample.scores, !scores.isEmpty else {
                if sample.error != nil && sample.error != .null { errored += 1 } else { unscored += 1 }
                continue
            }
            guard let chosen, let score = scores[chosen] else {
                throw IngestError(file: path, location: at,
                                  message: "scores: no scorer \"\(chosen ?? "")\" (this sample has \(scores.keys.sorted().joined(separator: ", "))); choose one with --scorer")
            }
            try add(score.value, id: sample.id, at: at + ", scores.\(chosen).value")
        }
        if inspectLog.samples.isEmpty, let reduced = inspectLog.reductions.first(where: { chosen == nil || $0.scorer == chosen }) {
            for (i, sample) in reduced.samples.enumerated() {
                summary.linesRead += 1
                try add(sample.value, id: sample.sampleID, at: "reductions[\(i)] (sample \(sample.sampleID.quoted))")
            }
            if !reduced.samples.isEmpty {
                log("\(path): no sample records; read the \(reduced.samples.count) per-question values of reductions "
                    + "(scorer \(reduced.scorer)\(reduced.reducer.map { ", reducer \($0)" } ?? ""), one trial each)")
            }
        }
        if let chosen, let aggregate = header.results?.aggregate(for: chosen) {
            run.aggregate = (aggregate.name + (aggregate.reducer.map { " (\($0))" } ?? ""), aggregate.value)
        }
        if errored + unscored > 0 {
            log("\(path): \(header.eval.model), \(header.eval.task): \(errored) errored and \(unscored) unscored sample(s) left missing"
                + (chosen.map { " (scorer \($0))" } ?? ""))
        } else if !run.isEmpty && scorer == nil && inspectLog.header.results?.scores?.count ?? 0 > 1 {
            log("\(path): several scorers; using \(chosen!) (choose with --scorer)")
        }
        return run
    }

    /// The scorer of the first scored sample, when the header names none.
    private func firstScorer(_ samples: [InspectSample]) -> String? {
        samples.lazy.compactMap { $0.scores?.keys.sorted().first }.first
    }
}
