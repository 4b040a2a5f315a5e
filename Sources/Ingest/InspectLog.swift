import Foundation
import ZIPFoundation

/// The parts of an Inspect AI eval log that ingest reads, in either format:
///
/// * `.eval`: a zip archive of JSON members (`header.json`, `summaries.json`,
///   `reductions.json`, `samples/<id>_epoch_<n>.json`, `_journal/...`), read
///   with ZIPFoundation. Only the header and the sample summaries are
///   decompressed: summaries carry each sample's id, epoch, scores and
///   error, and the `samples/` members (messages, events: nearly all the
///   bytes) are needed only when a log has no summaries at all.
/// * `.json`: the same `EvalLog` as one document (log versions 1–3), which
///   may contain bare `NaN`.
///
/// A log without `header.json` (a crashed or running job) falls back to
/// `_journal/start.json` for the eval spec and `_journal/summaries/*.json`
/// for the samples, and says so. Sample ids are read from the JSON, never
/// from member names (ids may contain `/`).
public struct InspectLog {
    public var path: String
    public var header: InspectHeader
    public var samples: [InspectSample]
    /// Per-question values already reduced over epochs (used only when there are no samples).
    public var reductions: [InspectReduction]
    /// What was noticed while reading (the journal fallback, ...).
    public var warnings: [String] = []
    /// Bytes of the log file.
    public var bytes: Int

    public static func read(_ path: String) throws -> InspectLog {
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError(file: path, message: "cannot open the file")
        }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        try? handle.close()
        if magic == Data([0x50, 0x4B]) { return try readArchive(path, bytes: bytes) }
        return try readDocument(path, bytes: bytes)
    }

    /// The fields of a sample that ingest reads; a `.json` log's samples
    /// keep only these (their messages and events are skipped unread).
    static let sampleFields: Set<String> = ["id", "epoch", "scores", "score", "error"]

    /// A `.json` log, streamed (`JSONObjectReader`): the header's members
    /// are decoded from their own bytes, each sample from its few fields,
    /// so memory stays one sample's summary however large the transcripts.
    private static func readDocument(_ path: String, bytes: Int) throws -> InspectLog {
        var header = Data("{".utf8)
        var samples: [InspectSample] = []
        var reductions: [InspectReduction] = []
        try JSONObjectReader(path: path).read(route: { key in
            switch key {
            case "samples": return .items
            case "version", "status", "eval", "results", "reductions": return .whole
            default: return .skip
            }
        }, keep: { sampleFields.contains($0) }) { key, item, json in
            switch key {
            case "samples":
                samples.append(try JSONDocument.decode(InspectSample.self, from: json, file: path, part: "samples[\(item ?? "")]"))
            case "reductions":
                reductions = try JSONDocument.decode([InspectReduction].self, from: json, file: path, part: "reductions")
            default:
                if header.count > 1 { header.append(UInt8(ascii: ",")) }
                header.append(Data("\"\(key)\":".utf8))
                header.append(json)
            }
        }
        header.append(UInt8(ascii: "}"))
        return InspectLog(path: path, header: try JSONDocument.decode(InspectHeader.self, from: header, file: path),
                          samples: samples, reductions: reductions, bytes: bytes)
    }

    private static func readArchive(_ path: String, bytes: Int) throws -> InspectLog {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw IngestError(file: path, message: "not a readable .eval (zip) archive: \(error)")
        }
        func member(_ name: String) throws -> Data? {
            guard let entry = archive[name] else { return nil }
            var data = Data()
            data.reserveCapacity(Int(entry.uncompressedSize))
            do {
                _ = try archive.extract(entry) { data.append($0) }
            } catch {
                throw IngestError(file: path, location: "member \(name)", message: "cannot decompress: \(error)")
            }
            return data
        }
        func decode<T: Decodable>(_ type: T.Type, _ name: String, _ data: Data) throws -> T {
            try JSONDocument.decode(type, from: data, file: path, part: "member \(name)")
        }
        var warnings: [String] = []
        let header: InspectHeader
        if let data = try member("header.json") {
            header = try decode(InspectHeader.self, "header.json", data)
        } else if let data = try member("_journal/start.json") {
            header = try decode(InspectHeader.self, "_journal/start.json", data)
            warnings.append("\(path): no header.json (the run crashed or is still running): reading the eval from "
                            + "_journal/start.json and the samples from the journal; the log's status and metrics are unknown")
        } else {
            throw IngestError(file: path, location: "member header.json", message: "missing, and no _journal/start.json either: not an Inspect log")
        }
        var samples: [InspectSample] = []
        if let data = try member("summaries.json") {
            samples = try decode([InspectSample].self, "summaries.json", data)
        } else {
            // The journal's batches, in the order they were written (1.json, 2.json, ...).
            let batches = archive.filter { $0.path.hasPrefix("_journal/summaries/") && $0.path.hasSuffix(".json") }
                .map(\.path).sorted { journalNumber($0) < journalNumber($1) }
            for name in batches {
                samples += try decode([InspectSample].self, name, try member(name)!)
            }
            if batches.isEmpty {
                let names = archive.filter { $0.path.hasPrefix("samples/") && $0.path.hasSuffix(".json") }.map(\.path).sorted()
                for name in names { samples.append(try decode(InspectSample.self, name, try member(name)!)) }
            }
        }
        var reductions: [InspectReduction] = []
        if samples.isEmpty, let data = try member("reductions.json") {
            reductions = try decode([InspectReduction].self, "reductions.json", data)
        }
        return InspectLog(path: path, header: header, samples: samples, reductions: reductions, warnings: warnings, bytes: bytes)
    }

    private static func journalNumber(_ name: String) -> Int {
        Int(name.dropFirst("_journal/summaries/".count).dropLast(".json".count)) ?? Int.max
    }
}

/// `header.json`, `_journal/start.json`, or the top of a `.json` log.
public struct InspectHeader: Decodable {
    public var version: Int?
    public var status: String?
    public var eval: InspectEvalSpec
    public var results: InspectResults?
}

public struct InspectEvalSpec: Decodable {
    public var task: String
    public var model: String
    public var created: String?
    public var taskArgs: [String: JSONValue]?
    public var config: Config?

    public struct Config: Decodable {
        public var epochs: Int?
    }

    enum CodingKeys: String, CodingKey {
        case task, model, created, config
        case taskArgs = "task_args"
    }
}

/// `results`: `scores[]` (log versions 2–3) or `scorer` + `metrics` (version 1).
public struct InspectResults: Decodable {
    public var scores: [Score]?
    public var scorer: Named?
    public var metrics: [String: Metric]?

    public struct Score: Decodable {
        public var name: String
        public var reducer: String?
        public var metrics: [String: Metric]?
    }
    public struct Named: Decodable { public var name: String }
    public struct Metric: Decodable { public var value: Double? }

    /// The scorer the log reports first (its main one).
    public var firstScorer: String? { scores?.first?.name ?? scorer?.name }

    /// The log's own aggregate for `scorer`: its `accuracy`, else its `mean`.
    public func aggregate(for scorer: String) -> (name: String, value: Double, reducer: String?)? {
        let entry = scores?.first { $0.name == scorer }
        let metrics = entry?.metrics ?? (self.scorer?.name == scorer ? self.metrics : nil)
        for name in ["accuracy", "mean"] {
            if let v = metrics?[name]?.value, v.isFinite { return (name, v, entry?.reducer) }
        }
        return nil
    }
}

/// A sample summary (or a full `EvalSample`; ingest reads the same fields).
public struct InspectSample: Decodable {
    public var id: JSONValue
    public var epoch: Int?
    /// Version 2–3: one entry per scorer. Empty for an errored or unscored sample.
    public var scores: [String: InspectScore]?
    /// Version 1: the single score.
    public var score: InspectScore?
    public var error: JSONValue?
}

public struct InspectScore: Decodable {
    public var value: JSONValue
}

/// `reductions.json` / `reductions`: per-question values after the epoch reducer.
public struct InspectReduction: Decodable {
    public var scorer: String
    public var reducer: String?
    public var samples: [Sample]

    public struct Sample: Decodable {
        public var value: JSONValue
        public var sampleID: JSONValue

        enum CodingKeys: String, CodingKey {
            case value
            case sampleID = "sample_id"
        }
    }
}
