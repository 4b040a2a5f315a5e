#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The values of a few metrics in a HELM `per_instance_stats.json`, read by
/// streaming the file (`JSONArrayReader`) and scanning each entry in place.
///
/// Why not a decoder: the file is a pretty-printed list of
/// `{instance_id, train_trial_index, perturbation?, stats: [Stat]}` with
/// some thirty stats per instance (token counts, runtimes, finish reasons,
/// each with count, sum, min, max, ...) of which one is wanted. Decoding
/// it into a tree ran at 27 MB/s and held the whole file; the scan reads
/// only `instance_id`, `perturbation`, and each stat's `name.name`,
/// `name.split`, `name.perturbation` and `mean`, compares names as bytes
/// against the candidate metrics, and builds one String per instance (its
/// id), none per stat.
///
/// Entries and stats with a non-null `perturbation` are left out. Each
/// kept (entry, candidate metric) becomes a `Sample`; the caller picks the
/// metric and sums samples per (split, instance), so several train trials
/// of an instance become several samples.
public struct HelmInstanceStats {
    /// One stat of one unperturbed entry whose name is a candidate metric.
    public struct Sample {
        /// Index into the candidate metrics.
        public var metric: Int32
        /// Index into `splits`.
        public var split: Int32
        /// Index into `instanceIDs`.
        public var instance: Int32
        /// The entry's position in the file's list (for messages).
        public var entry: Int32
        /// The stat's `mean` (NaN when missing or null).
        public var mean: Double
    }

    public private(set) var samples: [Sample] = []
    public private(set) var instanceIDs: [String] = []
    /// Split names met (`test`, `valid`); a stat without one is `test`.
    public private(set) var splits: [String] = []
    /// Entries in the file, perturbed ones included.
    public private(set) var entries = 0
    public private(set) var bytes = 0

    /// Whether some sample is of candidate metric `index`.
    public func has(metric index: Int) -> Bool { samples.contains { Int($0.metric) == index } }

    /// Reads the samples of the candidate `metrics` from `path` (`bufferSize`: the reader's initial buffer).
    public static func read(_ path: String, metrics: [String], bufferSize: Int = 4 << 20) throws -> HelmInstanceStats {
        var result = HelmInstanceStats()
        var scanner = EntryScanner(metrics: metrics)
        do {
            result.bytes = try JSONArrayReader(path: path, bufferSize: bufferSize).forEachElement({ s in try scanner.scan(&s) }) { perturbed, index in
                result.entries += 1
                guard !perturbed, !scanner.found.isEmpty else { return }
                let instance = Int32(result.instanceIDs.count)
                result.instanceIDs.append(scanner.instanceID)
                for found in scanner.found {
                    let split = scanner.splitNames[found.split]
                    var splitIndex = result.splits.firstIndex(of: split)
                    if splitIndex == nil { result.splits.append(split); splitIndex = result.splits.count - 1 }
                    result.samples.append(Sample(metric: Int32(found.metric), split: Int32(splitIndex!), instance: instance,
                                                 entry: Int32(truncatingIfNeeded: index), mean: found.mean))
                }
            }
        } catch let error as JSONArrayError {
            throw IngestError(file: path, message: error.description)
        } catch let error as HarnessRecordError {
            throw IngestError(file: path, location: "[\(result.entries)]", message: error.description)
        }
        return result
    }

    /// Every stat name in the file (for the message when the wanted one is absent).
    public static func statNames(_ path: String) throws -> Set<String> {
        var names = Set<String>()
        var scanner = EntryScanner(metrics: [])
        scanner.collectNames = true
        _ = try? JSONArrayReader(path: path).forEachElement({ s in try scanner.scan(&s) }) { _, _ in
            names.formUnion(scanner.names)
        }
        return names
    }

    /// Scans one entry; its results stay in `found` and `instanceID` until the next call.
    struct EntryScanner {
        let metrics: [[UInt8]]
        var found: [(metric: Int, split: Int, mean: Double)] = []
        var instanceID = ""
        /// Split names as bytes and as Strings (few: test, valid), index 0 being "test".
        var splitBytes: [[UInt8]] = [Array("test".utf8)]
        var splitNames: [String] = ["test"]
        var collectNames = false
        var names = Set<String>()
        private var scratch: [UInt8] = []

        init(metrics: [String]) {
            self.metrics = metrics.map { Array($0.utf8) }
        }

        /// Returns whether the entry is perturbed.
        mutating func scan(_ s: inout JSONScanner) throws -> Bool {
            found.removeAll(keepingCapacity: true)
            instanceID = ""
            var perturbed = false
            var haveID = false
            try s.beginObject()
            var first = true
            while let key = try s.nextKey(&first) {
                if s.bytes(key, equal: "instance_id") {
                    guard try s.peekKind() == .string else {
                        throw HarnessRecordError(field: "instance_id", message: "expected a string, at byte \(s.position + 1) of the element")
                    }
                    instanceID = try s.string()
                    haveID = true
                } else if s.bytes(key, equal: "perturbation") {
                    perturbed = try !isNull(&s)
                } else if s.bytes(key, equal: "stats") {
                    try s.beginArray()
                    var firstStat = true
                    while try s.nextElement(&firstStat) { try scanStat(&s) }
                } else {
                    try s.skipValue()
                }
            }
            guard haveID else { throw HarnessRecordError(field: "instance_id", message: "missing in an entry") }
            return perturbed
        }

        /// `null` (consumed, true) or any other value (skipped, false).
        private func isNull(_ s: inout JSONScanner) throws -> Bool {
            let start = s.position
            if try s.peekKind() == .literal, s.position + 4 <= s.count, memcmp(s.base + s.position, "null", 4) == 0 {
                s.position += 4
                return true
            }
            s.position = start
            try s.skipValue()
            return false
        }

        /// One `{name: {name, split, perturbation?}, mean, ...}`: kept in `found` when its name is a candidate.
        private mutating func scanStat(_ s: inout JSONScanner) throws {
            try s.beginObject()
            var metric = -1
            var split = 0
            var perturbed = false
            var mean: Range<Int>?
            var meanValue = Double.nan
            var first = true
            while let key = try s.nextKey(&first) {
                if s.bytes(key, equal: "name") {
                    guard try s.peekKind() == .object else { try s.skipValue(); continue }
                    try s.beginObject()
                    var firstName = true
                    while let inner = try s.nextKey(&firstName) {
                        if s.bytes(inner, equal: "name"), try s.peekKind() == .string {
                            metric = try match(&s)
                        } else if s.bytes(inner, equal: "split"), try s.peekKind() == .string {
                            split = try splitIndex(&s)
                        } else if s.bytes(inner, equal: "perturbation") {
                            perturbed = try !isNull(&s)
                        } else {
                            try s.skipValue()
                        }
                    }
                } else if s.bytes(key, equal: "mean") {
                    switch try s.peekKind() {
                    case .number: mean = try s.rawNumber()
                    case .literal, .string:
                        // NaN, a numeric string, or null (missing).
                        let start = s.position
                        do {
                            meanValue = try s.flexibleNumber()
                        } catch let error as JSONSyntaxError where !error.truncated {
                            s.position = start
                            try s.skipValue()
                            meanValue = .nan
                        }
                    default: try s.skipValue()
                    }
                } else {
                    try s.skipValue()
                }
            }
            guard metric >= 0, !perturbed else { return }
            if let mean { meanValue = try s.parseDouble(mean, strict: true) }
            found.append((metric, split, meanValue))
        }

        /// The candidate index of the stat name at the scanner (-1: none); collects names if asked.
        private mutating func match(_ s: inout JSONScanner) throws -> Int {
            let range = try s.rawString()
            let p = s.base + range.lowerBound
            let n = range.count
            if s.hasEscape(range) || collectNames {
                scratch.removeAll(keepingCapacity: true)
                try s.decodeString(range, into: &scratch)
                if collectNames { names.insert(String(decoding: scratch, as: UTF8.self)) }
                return scratch.withUnsafeBufferPointer { b in
                    metrics.firstIndex { $0.count == b.count && memcmp($0, b.baseAddress!, b.count) == 0 } ?? -1
                }
            }
            for (i, name) in metrics.enumerated() where name.count == n && memcmp(name, p, n) == 0 { return i }
            return -1
        }

        /// The index of the split name at the scanner in `splitNames`, added when new.
        private mutating func splitIndex(_ s: inout JSONScanner) throws -> Int {
            let range = try s.rawString()
            let n = range.count
            if !s.hasEscape(range) {
                for (i, b) in splitBytes.enumerated() where b.count == n && memcmp(b, s.base + range.lowerBound, n) == 0 { return i }
            }
            scratch.removeAll(keepingCapacity: true)
            try s.decodeString(range, into: &scratch)
            if let i = splitBytes.firstIndex(of: scratch) { return i }
            splitBytes.append(scratch)
            splitNames.append(String(decoding: scratch, as: UTF8.self))
            return splitBytes.count - 1
        }
    }
}
