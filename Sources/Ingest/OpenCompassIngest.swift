import Foundation

/// `irsl ingest opencompass`: OpenCompass work directories → response file.
///
/// A work directory (`outputs/<config>/<timestamp>/`) holds
/// `predictions/<model_abbr>/<dataset_abbr>.json`: an object keyed by the
/// test example's index ("0", "1", …), each with `prediction` and `gold`.
/// The response is `prediction == gold` (binary); when the sibling
/// `results/<model_abbr>/<dataset_abbr>.json` has per-example `details`
/// with `correct` (written with `--dump-eval-details`), those are used
/// instead, a list of n values counting as n trials. Large datasets are
/// split into `<abbr>_0.json`, `<abbr>_1.json`, …, whose keys restart at 0:
/// they are read in shard order with the index running on.
///
/// Items are `<dataset_abbr>/<index>`; the model is the `model_abbr`
/// directory. In PPL mode the number of `label: X` entries gives the
/// chance floor (1 / labels). The results file's `accuracy` (percent) is
/// shown beside the mean of the rows.
public struct OpenCompassIngest {
    public var paths: [String]
    public var matrix: SampleMatrixIngest

    public init(paths: [String], matrix: SampleMatrixIngest) {
        self.paths = paths
        self.matrix = matrix
    }

    /// (model, dataset, shard files in order) under every `predictions/` directory found.
    public static func discover(_ paths: [String]) throws -> [(model: String, dataset: String, files: [String], root: String)] {
        let fm = FileManager.default
        var found: [(String, String, [String], String)] = []
        for path in paths {
            var roots: [String] = []
            if (path as NSString).lastPathComponent == "predictions" { roots = [(path as NSString).deletingLastPathComponent] }
            guard let e = fm.enumerator(atPath: path) else { throw IngestError(file: path, message: "no such directory") }
            if fm.fileExists(atPath: (path as NSString).appendingPathComponent("predictions")) { roots.append(path) }
            while let name = e.nextObject() as? String {
                if (name as NSString).lastPathComponent == "predictions", name != "predictions" {
                    roots.append((path as NSString).appendingPathComponent((name as NSString).deletingLastPathComponent))
                }
            }
            guard !roots.isEmpty else {
                throw IngestError(file: path, message: "no predictions/<model>/<dataset>.json under it: not an OpenCompass work directory")
            }
            for root in Array(Set(roots)).sorted() {
                let predictions = (root as NSString).appendingPathComponent("predictions")
                for model in ((try? fm.contentsOfDirectory(atPath: predictions)) ?? []).sorted() {
                    let dir = (predictions as NSString).appendingPathComponent(model)
                    var shards: [String: [(Int, String)]] = [:]
                    for file in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []) where file.hasSuffix(".json") && !file.hasPrefix("tmp_") {
                        let stem = String(file.dropLast(5))
                        if let underscore = stem.lastIndex(of: "_"), let k = Int(stem[stem.index(after: underscore)...]),
                           fm.fileExists(atPath: (dir as NSString).appendingPathComponent(String(stem[..<underscore]) + "_0.json")) {
                            shards[String(stem[..<underscore]), default: []].append((k, file))
                        } else {
                            shards[stem, default: []].append((0, file))
                        }
                    }
                    for dataset in shards.keys.sorted() {
                        let files = shards[dataset]!.sorted { $0.0 < $1.0 }.map { (dir as NSString).appendingPathComponent($0.1) }
                        found.append((model, dataset, files, root))
                    }
                }
            }
        }
        return found
    }

    /// The members of a predictions row that ingest reads; the rest (the
    /// prompt, nearly all the bytes) is skipped unread.
    static func isRowField(_ key: String) -> Bool {
        key == "prediction" || key == "gold" || key == "refr" || key.hasPrefix("label: ")
    }

    @discardableResult
    public func run(log: (String) -> Void = { _ in }, progress: ((Int, Int, Int) -> Void)? = nil) throws -> IngestSummary {
        let started = Date()
        let sets = try OpenCompassIngest.discover(paths)
        guard !sets.isEmpty else { throw IngestError(file: paths.joined(separator: " "), message: "no predictions files found") }
        var summary = IngestSummary.empty(output: matrix.output)
        var runs: [SampleRun] = []
        for (i, set) in sets.enumerated() {
            var run = SampleRun(model: set.model, task: set.dataset, source: set.files[0], rank: [set.root], describe: set.root)
            let resultsPath = (((set.root as NSString).appendingPathComponent("results") as NSString)
                .appendingPathComponent(set.model) as NSString).appendingPathComponent(set.dataset + ".json")
            var details: [String: JSONValue]?
            var accuracy: Double?
            if FileManager.default.fileExists(atPath: resultsPath) {
                var found: [String: JSONValue] = [:]
                try JSONObjectReader(path: resultsPath).read(route: { key in
                    key == "accuracy" ? .whole : (key == "details" ? .items : .skip)
                }, keep: { $0 == "correct" || $0 == "is_correct" }) { key, item, json in
                    let value = try JSONDocument.decode(JSONValue.self, from: json, file: resultsPath, part: item.map { "details \"\($0)\"" } ?? key)
                    if let item { found[item] = value } else { accuracy = value.number }
                }
                details = found.isEmpty ? nil : found
            }
            var offset = 0
            for file in set.files {
                var rows: [String: JSONValue] = [:]
                summary.bytesRead += try JSONObjectReader(path: file).read(route: { Int($0) == nil ? .skip : .filtered },
                                                                           keep: OpenCompassIngest.isRowField) { key, _, json in
                    rows[key] = try JSONDocument.decode(JSONValue.self, from: json, file: file, part: "\"\(key)\"")
                }
                let keys = rows.keys.compactMap(Int.init).sorted()
                for k in keys {
                    guard case .object(let row)? = rows[String(k)] else {
                        throw IngestError(file: file, location: "\"\(k)\"", message: "expected an object with prediction and gold")
                    }
                    summary.linesRead += 1
                    let index = offset + k
                    if let entry = details?[String(index)], case .object(let d) = entry, let correct = d["correct"] ?? d["is_correct"] {
                        let values: [JSONValue]
                        if case .array(let list) = correct { values = list } else { values = [correct] }
                        for v in values {
                            guard case .bool(let b) = v else {
                                throw IngestError(file: resultsPath, location: "details \"\(index)\"", message: "correct: expected true/false, found \(v.quoted)")
                            }
                            run.add(question: String(index), value: b ? 1 : 0)
                        }
                        continue
                    }
                    guard let prediction = row["prediction"], let gold = row["gold"] ?? row["refr"] else {
                        throw IngestError(file: file, location: "\"\(k)\"", message: "\(row["prediction"] == nil ? "prediction" : "gold"): missing")
                    }
                    run.add(question: String(index), value: prediction == gold ? 1 : 0)
                    let labels = row.keys.filter { $0.hasPrefix("label: ") }.count
                    if labels > 1 { run.floor = 1 / Double(labels) }
                }
                offset += (keys.last ?? -1) + 1
            }
            if let accuracy { run.aggregate = ("accuracy / 100", accuracy / 100) }
            runs.append(run)
            progress?(i + 1, sets.count, summary.bytesRead)
        }
        summary.parseSeconds = Date().timeIntervalSince(started)
        try matrix.write(runs, summary: &summary, log: log)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }
}
