import Foundation
import IRT
import Store

/// The full optimizer state at an iteration boundary: enough to continue a
/// fit so that it ends bit-for-bit where an uninterrupted one would.
///
/// File layout (little-endian), documented in docs/checkpoints.md:
/// `IRSLCKPT` · UInt32 version · UInt64 header length · JSON header ·
/// Float64 arrays theta [M·K], a [N·K], d [N], g [N], phi [B], loglik history [T] ·
/// UInt64 FNV-1a checksum of every preceding byte. The checksum covers the
/// whole file, so truncation or any flipped byte is detected.
public struct Checkpoint: Equatable {
    public struct Header: Codable, Equatable {
        public var version = 1
        public var iteration: Int
        /// Why it was written: `periodic`, `signal` or `final`.
        public var reason: String
        public var ranks: Int
        public var options: FitOptions
        public var fingerprint: InputFingerprint
        public var models: Int
        public var items: Int
        public var dims: Int
        public var benchmarks: Int
        public var irslVersion: String
        public var written: String
        /// The empirical-Bayes hyperparameters at this iteration (nil: none were estimated).
        public var prior: ItemPrior?

        public init(iteration: Int, reason: String, ranks: Int, options: FitOptions, fingerprint: InputFingerprint,
                    models: Int, items: Int, dims: Int, benchmarks: Int, irslVersion: String, written: String) {
            self.iteration = iteration; self.reason = reason; self.ranks = ranks; self.options = options
            self.fingerprint = fingerprint; self.models = models; self.items = items; self.dims = dims
            self.benchmarks = benchmarks; self.irslVersion = irslVersion; self.written = written
        }
    }

    public var header: Header
    public var theta: [Double]
    public var a: [Double]
    public var d: [Double]
    public var g: [Double]
    public var phi: [Double]
    public var history: [Double]

    public init(header: Header, theta: [Double], a: [Double], d: [Double], g: [Double], phi: [Double], history: [Double]) {
        self.header = header; self.theta = theta; self.a = a; self.d = d; self.g = g; self.phi = phi; self.history = history
    }

    static let magic = Array("IRSLCKPT".utf8)

    // MARK: Writing

    /// Serialises the checkpoint, checksum last.
    public func encoded() throws -> Data {
        var data = Data(Self.magic)
        append(&data, UInt32(1))
        let json = try JSONEncoder().encode(header)
        append(&data, UInt64(json.count))
        data.append(json)
        for array in [theta, a, d, g, phi, history] {
            array.withUnsafeBytes { data.append(contentsOf: $0) }   // native little-endian on every supported platform
        }
        append(&data, FNV1a.hash(data))
        return data
    }

    /// Writes atomically and keeps the previous checkpoint: the new state
    /// goes to a temporary file, is flushed to disk, the current file becomes
    /// `<path>.prev`, and the new one takes its place (Store's `OutputSet`).
    /// A crash at any moment leaves at least one complete checkpoint; a full
    /// disk is an error that leaves no temporary file and the current one as it was.
    public func write(to path: String) throws {
        let data = try encoded()
        try writeOutputs { try $0.data(path, data, previous: path + ".prev") }
    }

    // MARK: Reading

    /// Parses and verifies one checkpoint file.
    public static func read(_ path: String) throws -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(file: path, field: "checkpoint", message: "no such checkpoint")
        }
        func corrupt(_ why: String) -> StoreError { StoreError(file: path, field: "checkpoint", message: "corrupt checkpoint: \(why)") }
        guard data.count >= 28, Array(data.prefix(8)) == magic else { throw corrupt("not an irsl checkpoint (bad magic or truncated)") }
        let body = data.prefix(data.count - 8)
        let stored: UInt64 = load(data, at: data.count - 8)
        guard FNV1a.hash(body) == stored else { throw corrupt("checksum mismatch (truncated or modified)") }
        let version: UInt32 = load(data, at: 8)
        guard version == 1 else { throw corrupt("unsupported version \(version)") }
        let headerLength = Int(load(data, at: 12) as UInt64)
        guard 20 + headerLength <= body.count else { throw corrupt("header runs past the end") }
        let header = try JSONDecoder().decode(Header.self, from: data.subdata(in: 20..<(20 + headerLength)))
        var offset = 20 + headerLength
        func doubles(_ count: Int) throws -> [Double] {
            guard count >= 0, offset + 8 * count <= body.count else { throw corrupt("arrays shorter than the header says") }
            var out = [Double](repeating: 0, count: count)
            out.withUnsafeMutableBytes { dst in data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: offset..<(offset + 8 * count)) }
            offset += 8 * count
            return out
        }
        let m = header.models, n = header.items, k = header.dims
        let theta = try doubles(m * k), a = try doubles(n * k), d = try doubles(n), g = try doubles(n)
        let phi = try doubles(header.benchmarks), history = try doubles(header.iteration)
        guard offset == body.count else { throw corrupt("\(body.count - offset) unexpected bytes after the arrays") }
        return Checkpoint(header: header, theta: theta, a: a, d: d, g: g, phi: phi, history: history)
    }

    /// The newest valid checkpoint at `path`, falling back to `<path>.prev`
    /// when the current one is missing or corrupt; `note` says what happened.
    public static func readNewestValid(_ path: String, note: (String) -> Void) throws -> Checkpoint {
        do {
            return try read(path)
        } catch let first {
            let previous = path + ".prev"
            guard FileManager.default.fileExists(atPath: previous) else { throw first }
            let checkpoint = try read(previous)
            note("\(first); using the previous checkpoint \(previous) (iteration \(checkpoint.header.iteration))")
            return checkpoint
        }
    }

    private func append<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func load<T: FixedWidthInteger>(_ data: Data, at offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { dst in data.copyBytes(to: dst, from: offset..<(offset + MemoryLayout<T>.size)) }
        return T(littleEndian: value)
    }
}

/// 64-bit FNV-1a: a simple, dependable checksum for files of a few MB.
public enum FNV1a {
    public static func hash<D: DataProtocol>(_ data: D, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for region in data.regions {
            region.withUnsafeBytes { bytes in
                for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            }
        }
        return h
    }

    public static func hash(_ strings: [String], seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for s in strings {
            h = hash(Data(s.utf8), seed: h)
            h = (h ^ 0x1F) &* 0x0000_0100_0000_01B3   // separator, so ["ab","c"] ≠ ["a","bc"]
        }
        return h
    }
}

/// Identifies the input a checkpoint belongs to without reading all of it:
/// the shape, the model and item ids, and a content hash of sampled rows.
public struct InputFingerprint: Codable, Equatable {
    public var models: Int
    public var items: Int
    public var kind: String
    public var idsHash: String
    public var sampledRowsHash: String
    public var sampledRows: [Int]

    public init(models: Int, items: Int, kind: String, idsHash: String, sampledRowsHash: String, sampledRows: [Int]) {
        self.models = models; self.items = items; self.kind = kind
        self.idsHash = idsHash; self.sampledRowsHash = sampledRowsHash; self.sampledRows = sampledRows
    }

    /// Reads up to 8 evenly spaced rows of /responses (every rank can do it
    /// alone, so checking needs no communication).
    public static func of(_ path: String, info: ResponseFileInfo) throws -> InputFingerprint {
        let m = info.models, n = info.items
        let count = min(8, m)
        let rows = (0..<count).map { count == 1 ? 0 : $0 * (m - 1) / (count - 1) }
        let reader = try ResponseRows(path: path, info: info)
        defer { reader.close() }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let sampled = try reader.rows(rows).responses
        for i in rows.indices {
            sampled[(i * n)..<((i + 1) * n)].withUnsafeBytes { h = FNV1a.hash($0, seed: h) }
        }
        let ids = FNV1a.hash(info.modelNames + ["|"] + info.itemIDs + ["|"] + info.benchmarks)
        return InputFingerprint(models: m, items: n, kind: info.kind.rawValue,
                                idsHash: String(ids, radix: 16), sampledRowsHash: String(h, radix: 16), sampledRows: rows)
    }

    /// The first field that differs, described for the user; nil when equal.
    public func difference(from other: InputFingerprint) -> String? {
        if models != other.models { return "number of models: checkpoint \(other.models), input \(models)" }
        if items != other.items { return "number of items: checkpoint \(other.items), input \(items)" }
        if kind != other.kind { return "response_kind: checkpoint \(other.kind), input \(kind)" }
        if idsHash != other.idsHash { return "model/item ids or benchmarks (hash \(other.idsHash) in the checkpoint, \(idsHash) in the input)" }
        if sampledRowsHash != other.sampledRowsHash { return "response values in sampled rows \(sampledRows) (hash \(other.sampledRowsHash) in the checkpoint, \(sampledRowsHash) in the input)" }
        return nil
    }
}

extension FitOptions {
    /// The first option that changes the iterates and differs; nil when
    /// compatible. Stopping rules (tolerances, iteration limit) may change
    /// on resume: they decide when to stop, not where the iterates go.
    public func incompatibility(with other: FitOptions) -> String? {
        let fields: [(String, String, String)] = [
            ("model", model.rawValue, other.model.rawValue),
            ("dims", "\(dims)", "\(other.dims)"),
            ("response", response.rawValue, other.response.rawValue),
            ("floor-from-file", "\(floorFromFile)", "\(other.floorFromFile)"),
            ("theta-ridge", "\(thetaRidge)", "\(other.thetaRidge)"),
            ("item-ridge", "\(itemRidge)", "\(other.itemRidge)"),
            ("theta-bound", "\(thetaBound)", "\(other.thetaBound)"),
            ("item-bound", "\(itemBound)", "\(other.itemBound)"),
            ("max-step", "\(maxStep)", "\(other.maxStep)"),
            ("prior", prior.rawValue, other.prior.rawValue),
        ]
        for (name, mine, theirs) in fields where mine != theirs {
            return "option \(name): checkpoint has \(theirs), this run has \(mine)"
        }
        return nil
    }
}
