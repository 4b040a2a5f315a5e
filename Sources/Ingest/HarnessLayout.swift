import Foundation

/// One samples file: a task's per-question results for one model.
public struct HarnessTaskFile: Equatable {
    /// The task, from the file name (`samples_<task>_<timestamp>.jsonl`).
    public var task: String
    /// The run's timestamp from the file name ("" if none).
    public var timestamp: String
    public var path: String

    public init(task: String, timestamp: String, path: String) {
        self.task = task
        self.timestamp = timestamp
        self.path = path
    }
}

/// All samples files of one model: one file per task.
public struct HarnessModelRun: Equatable {
    public var model: String
    /// Sorted by task name.
    public var files: [HarnessTaskFile]

    public init(model: String, files: [HarnessTaskFile]) {
        self.model = model
        self.files = files
    }
}

/// Finds models and tasks in lm-evaluation-harness output.
///
/// The harness with `--output_path OUT --log_samples` writes
/// `OUT/<model>/samples_<task>_<timestamp>.jsonl`, where `<model>` is the
/// model id with `/` replaced by `__` (`EleutherAI__pythia-14m`). So a path
/// given to `irsl ingest lm-eval` may be
/// * `OUT` (each sub-directory holding samples files is a model),
/// * one model directory (holding samples files itself), or
/// * a single samples file (the model is then named with `--model`).
///
/// The model name is the `model_name` of the run's results file beside the
/// samples (same timestamp), else the directory name with `__` turned back
/// into `/` (`EleutherAI/pythia-14m`): the model id the harness was given.
/// The results file matters when one directory holds several models' runs
/// (copied together, told apart only by timestamp). `--model` overrides
/// both for a single model directory or file. When a model has
/// several files for one task (re-runs), the newest timestamp is used and a
/// note says so. Files not named `samples_*.jsonl` (the `results_*.json`
/// summaries) are ignored.
public enum HarnessLayout {
    /// `(task, timestamp)` from a samples file name, or nil when the name is
    /// not `samples_*.jsonl`. The timestamp is the harness's
    /// `_YYYY-MM-DDTHH-MM-SS[.ffffff]` suffix ("" when absent).
    public static func parseFileName(_ name: String) -> (task: String, timestamp: String)? {
        guard name.hasPrefix("samples_"), name.hasSuffix(".jsonl") else { return nil }
        let stem = String(name.dropFirst("samples_".count).dropLast(".jsonl".count))
        guard !stem.isEmpty else { return nil }
        if let match = stem.range(of: #"_\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2}(\.\d+)?$"#, options: .regularExpression),
           match.lowerBound > stem.startIndex {
            return (String(stem[..<match.lowerBound]), String(stem[stem.index(after: match.lowerBound)...]))
        }
        return (stem, "")
    }

    /// The model id the harness sanitised into a directory name.
    public static func modelName(fromDirectory name: String) -> String {
        name.replacingOccurrences(of: "__", with: "/")
    }

    /// Models and their task files under `paths`, keeping tasks that match
    /// `tasks` (all when nil). Models appear in the order found (paths in
    /// order, sub-directories sorted by name); a model found under several
    /// paths has its files merged. `notes` reports choices made (re-runs).
    public static func discover(paths: [String], model: String? = nil,
                                tasks: GlobList? = nil) throws -> (runs: [HarnessModelRun], notes: [String]) {
        var order: [String] = []
        var filesByModel: [String: [HarnessTaskFile]] = [:]
        var discoveryNotes: [String] = []
        func add(_ model: String, _ files: [HarnessTaskFile]) {
            if filesByModel[model] == nil { order.append(model) }
            filesByModel[model, default: []] += files
        }

        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw IngestError(file: path, message: "no such file or directory")
            }
            if !isDirectory.boolValue {
                guard let model else {
                    throw IngestError(file: path, message: "a single samples file needs the model's name: add --model NAME")
                }
                let name = (path as NSString).lastPathComponent
                let parsed = parseFileName(name)
                    ?? (String(name.hasSuffix(".jsonl") ? name.dropLast(6) : name[...]), "")
                add(model, [HarnessTaskFile(task: parsed.task, timestamp: parsed.timestamp, path: path)])
                continue
            }
            let own = try samplesFiles(in: path)
            if !own.isEmpty {
                for (name, files) in try models(of: own, in: path, named: model, fallback: directoryName(path), notes: &discoveryNotes) {
                    add(name, files)
                }
                continue
            }
            var found = 0
            for entry in try listing(path) {
                let sub = (path as NSString).appendingPathComponent(entry)
                var subIsDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: sub, isDirectory: &subIsDirectory),
                      subIsDirectory.boolValue else { continue }
                let files = try samplesFiles(in: sub)
                guard !files.isEmpty else { continue }
                found += 1
                if let model, found > 1 {
                    throw IngestError(file: path, message: "--model \(model) names one model, but this directory holds several model directories")
                }
                for (name, files) in try models(of: files, in: sub, named: model, fallback: entry, notes: &discoveryNotes) {
                    add(name, files)
                }
            }
            guard found > 0 else {
                throw IngestError(file: path, message: "no samples_<task>_<timestamp>.jsonl files here or in its sub-directories "
                                  + "(expected the harness's --output_path layout: one directory per model)")
            }
        }

        var runs: [HarnessModelRun] = []
        var notes = discoveryNotes
        for model in order {
            var byTask: [String: [HarnessTaskFile]] = [:]
            for file in filesByModel[model]! where tasks?.matches(file.task) ?? true {
                byTask[file.task, default: []].append(file)
            }
            var chosen: [HarnessTaskFile] = []
            for (task, files) in byTask {
                let newest = files.max { ($0.timestamp, $0.path) < ($1.timestamp, $1.path) }!
                if files.count > 1 {
                    notes.append("\(model): \(files.count) files for task \(task); using the newest, \(newest.path)")
                }
                chosen.append(newest)
            }
            guard !chosen.isEmpty else {
                notes.append("\(model): no task matches --tasks \(tasks?.description ?? ""); model skipped")
                continue
            }
            runs.append(HarnessModelRun(model: model, files: chosen.sorted { $0.task < $1.task }))
        }
        return (runs, notes)
    }

    /// The samples files of one directory grouped by model: `named` (`--model`)
    /// when given; else, for each file, the `model_name` of the run's
    /// results file beside it (any `*_<timestamp>.json` of the same
    /// timestamp holding `model_name`: `results_<timestamp>.json`, or a
    /// renamed copy), which tells apart several models' runs kept in one
    /// directory; else the directory's name (`fallback`, `__` → `/`).
    static func models(of files: [HarnessTaskFile], in directory: String, named: String?, fallback: String,
                       notes: inout [String]) throws -> [(String, [HarnessTaskFile])] {
        if let named { return [(named, files)] }
        let stamps = Set(files.map(\.timestamp).filter { !$0.isEmpty })
        var modelOfStamp: [String: String] = [:]
        if !stamps.isEmpty {
            for name in try listing(directory) where name.hasSuffix(".json") {
                let stem = name.dropLast(".json".count)
                guard let stamp = stamps.first(where: { stem.hasSuffix("_" + $0) }), modelOfStamp[stamp] == nil,
                      let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let model = object["model_name"] as? String, !model.isEmpty else { continue }
                modelOfStamp[stamp] = model
            }
        }
        var order: [String] = []
        var grouped: [String: [HarnessTaskFile]] = [:]
        for file in files {
            let model = modelOfStamp[file.timestamp] ?? modelName(fromDirectory: fallback)
            if grouped[model] == nil { order.append(model) }
            grouped[model, default: []].append(file)
        }
        if order.count > 1 {
            notes.append("\(directory): samples of \(order.count) models, named by the results files beside them: "
                         + order.joined(separator: ", "))
        }
        return order.map { ($0, grouped[$0]!) }
    }

    private static func directoryName(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return url.lastPathComponent
    }

    private static func listing(_ directory: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw IngestError(file: directory, message: "cannot list the directory: \(error.localizedDescription)")
        }
    }

    private static func samplesFiles(in directory: String) throws -> [HarnessTaskFile] {
        try listing(directory).compactMap { name in
            guard let (task, timestamp) = parseFileName(name) else { return nil }
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
            return HarnessTaskFile(task: task, timestamp: timestamp, path: path)
        }
    }
}
