import Foundation

/// `irsl ingest helm`: HELM run directories (`helm-run` output) → response file.
///
/// A run directory is one (scenario, model): `run_spec.json` names the
/// model (`adapter_spec.model`) and the scenario (`scenario_spec`), and
/// `per_instance_stats.json` holds every instance's stats. The response of
/// an instance is the `mean` of its `metric` stat (default `exact_match`,
/// else the first of `quasi_exact_match`, `f1_score`, `rouge_l`, `bleu_4`
/// the run has). Entries are keyed by (instance, perturbation, train
/// trial): perturbed entries and stats are left out (robustness and
/// fairness variants are other questions), and each train trial of an
/// instance is one sample, so several trials become successes/trials.
///
/// Items are `<scenario>/<split>/<instance id>`, the scenario being its
/// class name plus its arguments (`MMLUScenario:subject=philosophy`):
/// HELM numbers instances within the scenario's full instance list, so ids
/// are stable across models of the same scenario version, and meaningless
/// across scenarios. `scenario_state.json` is not needed (the split is on
/// each stat). `per_instance_stats.json` is streamed (`HelmInstanceStats`),
/// never decoded whole.
public struct HelmIngest {
    public var paths: [String]
    public var metric: String?
    public var matrix: SampleMatrixIngest

    public static let defaultMetrics = ["exact_match", "quasi_exact_match", "f1_score", "rouge_l", "bleu_4"]

    public init(paths: [String], matrix: SampleMatrixIngest, metric: String? = nil) {
        self.paths = paths
        self.matrix = matrix
        self.metric = metric
    }

    /// Run directories: each PATH that holds `run_spec.json`, or its sub-directories that do.
    public static func discover(_ paths: [String]) throws -> [String] {
        var runs: [String] = []
        let fm = FileManager.default
        for path in paths {
            if fm.fileExists(atPath: (path as NSString).appendingPathComponent("run_spec.json")) { runs.append(path); continue }
            guard let names = try? fm.contentsOfDirectory(atPath: path) else {
                throw IngestError(file: path, message: "not a HELM run directory (no run_spec.json) nor a directory of them")
            }
            let found = names.sorted().map { (path as NSString).appendingPathComponent($0) }
                .filter { fm.fileExists(atPath: ($0 as NSString).appendingPathComponent("run_spec.json")) }
            guard !found.isEmpty else {
                throw IngestError(file: path, message: "no HELM run directory (with run_spec.json) in it")
            }
            runs += found
        }
        return runs
    }

    @discardableResult
    public func run(log: (String) -> Void = { _ in }, progress: ((Int, Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        let dirs = try HelmIngest.discover(paths)
        var summary = IngestSummary.empty(output: matrix.output)
        var runs: [SampleRun] = []
        for (i, dir) in dirs.enumerated() {
            let read = try HelmRun.read(dir, metric: metric)
            summary.bytesRead += read.bytes
            summary.linesRead += read.entries
            for (split, ours, theirs) in read.splitMeans {
                log("\(read.run.model): \(read.run.task) \(split): \(read.metric) mean \(String(format: "%.6f", ours))"
                    + (theirs.map { String(format: " (stats.json: %.6f)", $0) } ?? ""))
            }
            runs.append(read.run)
            progress?(i + 1, dirs.count, summary.bytesRead)
        }
        summary.parseSeconds = Date().timeIntervalSince(started)
        try matrix.write(runs, summary: &summary, log: log)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}

/// One HELM run directory, read.
public struct HelmRun {
    public var run: SampleRun
    public var metric: String
    /// Per split: our mean over instances, and `stats.json`'s unperturbed mean of the metric.
    public var splitMeans: [(split: String, ours: Double, stats: Double?)]
    public var bytes: Int
    public var entries: Int

    struct RunSpec: Decodable {
        var name: String?
        var scenarioSpec: ScenarioSpec
        var adapterSpec: AdapterSpec
        struct ScenarioSpec: Decodable {
            var className: String
            var args: [String: JSONValue]?
            enum CodingKeys: String, CodingKey { case className = "class_name", args }
        }
        struct AdapterSpec: Decodable { var model: String }
        enum CodingKeys: String, CodingKey { case name, scenarioSpec = "scenario_spec", adapterSpec = "adapter_spec" }
    }

    struct Stat: Decodable {
        var name: Name
        var mean: Double?
        struct Name: Decodable {
            var name: String
            var split: String?
            var perturbation: JSONValue?
        }
    }

    /// The scenario identity items are named after: class name (last component) and sorted arguments.
    static func scenario(_ spec: RunSpec.ScenarioSpec) -> String {
        let cls = spec.className.split(separator: ".").last.map(String.init) ?? spec.className
        let args = (spec.args ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.description)" }
        return args.isEmpty ? cls : cls + ":" + args.joined(separator: ",")
    }

    public static func read(_ dir: String, metric wanted: String?) throws -> HelmRun {
        let specPath = (dir as NSString).appendingPathComponent("run_spec.json")
        guard let specData = FileManager.default.contents(atPath: specPath) else {
            throw IngestError(file: specPath, message: "missing or unreadable (a HELM run directory has run_spec.json and per_instance_stats.json)")
        }
        let spec = try JSONDocument.decode(RunSpec.self, from: specData, file: specPath)
        let statsPath = (dir as NSString).appendingPathComponent("per_instance_stats.json")
        guard FileManager.default.isReadableFile(atPath: statsPath) else {
            throw IngestError(file: statsPath, message: "missing or unreadable (a HELM run directory has run_spec.json and per_instance_stats.json)")
        }
        let candidates = wanted.map { [$0] } ?? HelmIngest.defaultMetrics
        let stats = try HelmInstanceStats.read(statsPath, metrics: candidates)
        guard let chosen = candidates.indices.first(where: { stats.has(metric: $0) }) else {
            let names = try HelmInstanceStats.statNames(statsPath)
            if let wanted {
                throw IngestError(file: statsPath, message: "no stat named \"\(wanted)\" (--metric); it has e.g. "
                                  + names.sorted().prefix(12).joined(separator: ", "))
            }
            throw IngestError(file: statsPath, message: "no stat named \(HelmIngest.defaultMetrics.joined(separator: ", ")); choose one with --metric")
        }
        let metric = candidates[chosen]
        let task = scenario(spec.scenarioSpec)
        var run = SampleRun(model: spec.adapterSpec.model, task: task, source: dir, rank: [spec.name ?? ""], describe: spec.name ?? dir)
        var splitSums: [String: (Double, Int)] = [:]
        for sample in stats.samples where Int(sample.metric) == chosen {
            let instance = stats.instanceIDs[Int(sample.instance)]
            let value = sample.mean
            guard value.isFinite, value >= 0, value <= 1 else {
                throw IngestError(file: statsPath, location: "[\(sample.entry)] (instance \(instance))",
                                  message: "stats \(metric).mean: expected a number in [0, 1], found \(value.isNaN ? "none" : String(value))")
            }
            let split = stats.splits[Int(sample.split)]
            run.add(question: split + "/" + instance, value: value)
            splitSums[split, default: (0, 0)].0 += value
            splitSums[split, default: (0, 0)].1 += 1
        }
        // stats.json: HELM's own aggregate per split (unperturbed), to show beside ours.
        var theirs: [String: Double] = [:]
        if let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("stats.json")),
           let aggregate = try? JSONDocument.decode([Stat].self, from: data, file: "stats.json") {
            for s in aggregate where s.name.name == metric && (s.name.perturbation == nil || s.name.perturbation == .null) {
                if let split = s.name.split, let mean = s.mean { theirs[split] = mean }
            }
        }
        let means = splitSums.keys.sorted().map { ($0, splitSums[$0]!.0 / Double(splitSums[$0]!.1), theirs[$0]) }
        return HelmRun(run: run, metric: metric, splitMeans: means, bytes: specData.count + stats.bytes, entries: stats.entries)
    }
}
