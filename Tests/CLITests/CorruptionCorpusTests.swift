import Foundation
import XCTest
import Store

/// Corrupted files through the readers: response files (1–64 random bytes
/// overwritten, or truncated) through `fit` and `info`, fit outputs through
/// `info` and `select`. Asserts 0 crashes (exit ≥ 128 or a signal), 0 hangs
/// (the time limit), every error names the file, and, since irsl wrote these
/// files (checksummed), 0 silent changes: a command that succeeds must have
/// read exactly the original data.
///
/// Fixed seed; `IRSL_CORPUS_SIZE` (default 60 of each kind) scales it for
/// the by-hand run of docs/format.md (1,000 + 1,000).
final class CorruptionCorpusTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
        HDF5Guard.checker = Launcher.binary  // the test reads mutated files too: in a child, like irsl
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    struct Tally {
        var runs = 0, ok = 0, errors = 0, crashes: [String] = [], hangs: [String] = [], unnamed: [String] = []
        var silent: [String] = [], detected = 0, unchangedContent = 0
        mutating func merge(_ o: Tally) {
            runs += o.runs; ok += o.ok; errors += o.errors; crashes += o.crashes; hangs += o.hangs
            unnamed += o.unnamed; silent += o.silent; detected += o.detected; unchangedContent += o.unchangedContent
        }
    }

    func testCorruptedFilesNeverCrashHangOrPassSilently() throws {
        let count = Int(ProcessInfo.processInfo.environment["IRSL_CORPUS_SIZE"] ?? "") ?? 60
        let data = path("data.h5"), fit = path("fit.h5")
        var r = try Launcher.irsl(["simulate", "--models", "50", "--items", "80", "--benchmarks", "4",
                                   "--response", "bernoulli", "--seed", "7", "--output", data])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try Launcher.irsl(["fit", data, "--output", fit, "--max-iterations", "10"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let originalResponses = try responseContent(data)
        let originalFit = try fitContent(fit)

        var rng = SplitMix64(seed: 20261202)
        var jobs: [(file: String, kind: Kind)] = []
        let dataBytes = try Data(contentsOf: URL(fileURLWithPath: data))
        let fitBytes = try Data(contentsOf: URL(fileURLWithPath: fit))
        for i in 0..<count {
            jobs.append((try mutate(dataBytes, "r\(i).h5", &rng), .responses))
            jobs.append((try mutate(fitBytes, "f\(i).h5", &rng), .fit))
        }
        for (i, fraction) in [0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 0.99].enumerated() {
            jobs.append((try truncate(dataBytes, "rt\(i).h5", fraction), .responses))
            jobs.append((try truncate(fitBytes, "ft\(i).h5", fraction), .fit))
        }

        var total = Tally()
        let lock = NSLock()
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            var tally = Tally()
            for index in stride(from: worker, to: jobs.count, by: 2) {
                let job = jobs[index]
                let commands: [[String]] = job.kind == .responses
                    ? [["fit", job.file, "--output", job.file + ".fit.h5", "--max-iterations", "10"], ["info", job.file]]
                    : [["info", job.file], ["select", job.file, "--per-benchmark", "5", "--output", job.file + ".subset.csv"]]
                var anySucceeded = false
                for command in commands {
                    guard let result = try? Launcher.irsl(command, timeout: 60) else { continue }
                    tally.runs += 1
                    let label = "\(command[0]) \((job.file as NSString).lastPathComponent)"
                    if result.status == 124 || result.status == 137 {
                        tally.hangs.append(label)
                    } else if result.status >= 128 || result.stderr.contains("Program crashed") {
                        tally.crashes.append("\(label): exit \(result.status)")
                    } else if result.status != 0 {
                        tally.errors += 1
                        if !result.stderr.contains(job.file) { tally.unnamed.append("\(label): \(result.stderr.prefix(300))") }
                    } else {
                        tally.ok += 1
                        anySucceeded = true
                    }
                }
                // A command that succeeded must have read the original data.
                if anySucceeded {
                    let same: Bool
                    if job.kind == .responses {
                        same = (try? self.responseContent(job.file)) == originalResponses
                    } else {
                        same = (try? self.fitContent(job.file)) == originalFit
                    }
                    if same { tally.unchangedContent += 1 } else { tally.silent.append((job.file as NSString).lastPathComponent) }
                } else {
                    tally.detected += 1
                }
            }
            lock.lock(); total.merge(tally); lock.unlock()
        }
        print(String(format: "corruption corpus: %d files (%d + %d mutated, %d truncated), %d runs in %.0f s: %d ok, %d clear errors, %d crashes, %d hangs, %d errors not naming the file; %d files rejected by every command, %d read back unchanged, %d silent changes",
                     jobs.count, count, count, jobs.count - 2 * count, total.runs, Date().timeIntervalSince(started),
                     total.ok, total.errors, total.crashes.count, total.hangs.count, total.unnamed.count,
                     total.detected, total.unchangedContent, total.silent.count))
        XCTAssertEqual(total.crashes, [], "crashes")
        XCTAssertEqual(total.hangs, [], "hangs")
        XCTAssertEqual(total.unnamed, [], "errors that do not name the file")
        XCTAssertEqual(total.silent, [], "commands that succeeded on changed data")
        XCTAssertGreaterThan(total.errors, jobs.count / 2, "most corrupted files are rejected")
    }

    enum Kind { case responses, fit }

    /// Everything `fit`/`info` read from a response file, as comparable text.
    func responseContent(_ file: String) throws -> String {
        let info = try ResponseFileInfo.read(file)
        let h5 = try H5File(file, mode: .readOnly)
        defer { h5.close() }
        var matrix = [Float](repeating: 0, count: info.models * info.items)
        try matrix.withUnsafeMutableBufferPointer {
            try h5.readRows("/responses", rowStart: 0, rowCount: info.models, into: $0)
        }
        return "\(info.modelNames)|\(info.itemIDs)|\(info.benchmarks)|\(info.families ?? [])|\(info.params ?? [])|\(info.kind)|"
            + matrix.map { $0.bitPattern.description }.joined(separator: ",")
    }

    /// Everything `info`/`select` read from a fit file, as comparable text.
    func fitContent(_ file: String) throws -> String {
        let f = try FitResult.read(file)
        let numbers = [f.theta, f.thetaSE, f.a, f.d, f.g, f.aSE, f.dSE, f.phi, f.logLikelihoodHistory]
            .map { $0.map { $0.bitPattern.description }.joined(separator: ",") }
        let a = f.attributes
        return "\(f.modelNames)|\(f.itemIDs)|\(f.itemBenchmarks)|\(f.benchmarkNames)|\(numbers)|"
            + "\(a.loglik.bitPattern) \(a.nParameters) \(a.iterations) \(a.converged) \(a.model) \(a.response) \(a.aic.bitPattern)"
    }

    func mutate(_ original: Data, _ name: String, _ rng: inout SplitMix64) throws -> String {
        var bytes = original
        let n = 1 + Int(rng.next() % 64)
        for _ in 0..<n {
            let at = Int(rng.next() % UInt64(bytes.count))
            bytes[at] = bytes[at] ^ UInt8(1 + rng.next() % 255)  // always a different byte
        }
        let p = path(name)
        try bytes.write(to: URL(fileURLWithPath: p))
        return p
    }

    func truncate(_ original: Data, _ name: String, _ fraction: Double) throws -> String {
        let p = path(name)
        try original.prefix(Int(Double(original.count) * fraction)).write(to: URL(fileURLWithPath: p))
        return p
    }
}

/// A small deterministic generator (fixed seed: the corpus is the same on every run).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Damage to the data only (bytes inside the chunks of `/responses`, the
/// metadata intact): the values change, so every fit must fail with a
/// checksum error naming the file and the dataset, and `info --verify` must
/// say DAMAGED. A file written by h5py without checksums still reads.
final class DataChecksumTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        try Launcher.requireCLITier()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Launcher.binary), "build irsl first: \(Launcher.binary)")
        dir = try Launcher.temporaryDirectory()
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    func testEveryChangedDataByteIsDetected() throws {
        let data = dir.appendingPathComponent("data.h5").path
        let r = try Launcher.irsl(["simulate", "--models", "50", "--items", "80", "--response", "bernoulli",
                                   "--seed", "5", "--output", data])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ranges = HDF5Check.chunkByteRanges(data, dataset: "/responses")
        XCTAssertGreaterThan(ranges.count, 1, "the simulated matrix is chunked")
        let original = try Data(contentsOf: URL(fileURLWithPath: data))
        var rng = SplitMix64(seed: 99)
        var detected = 0
        let copies = 20
        for i in 0..<copies {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let chunk = ranges[Int(rng.next() % UInt64(ranges.count))]
                let at = chunk.lowerBound + Int(rng.next() % UInt64(chunk.count))
                bytes[at] ^= UInt8(1 + rng.next() % 255)
            }
            let p = dir.appendingPathComponent("d\(i).h5").path
            try bytes.write(to: URL(fileURLWithPath: p))
            let fit = try Launcher.irsl(["fit", p, "--output", p + ".fit.h5", "--max-iterations", "5"], timeout: 60)
            XCTAssertEqual(fit.status, 1, "copy \(i): a fit on changed data must fail\n\(fit.stderr)")
            XCTAssertTrue(fit.stderr.contains(p) && fit.stderr.contains("/responses") && fit.stderr.contains("checksum"),
                          "copy \(i): \(fit.stderr)")
            let verify = try Launcher.irsl(["info", "--verify", p], timeout: 60)
            XCTAssertNotEqual(verify.status, 0)
            XCTAssertTrue(verify.stdout.contains("DAMAGED: /responses"), "copy \(i): \(verify.stdout)\(verify.stderr)")
            if fit.status == 1 { detected += 1 }
        }
        print("data-only damage: \(detected) of \(copies) changed copies detected")
        let clean = try Launcher.irsl(["info", "--verify", data])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertTrue(clean.stdout.contains("OK") && clean.stdout.contains("checksummed (Fletcher32)"), clean.stdout)
    }

    func testFilesWithoutChecksumsStillRead() throws {
        let python = Launcher.packageRoot.appendingPathComponent(".venv/bin/python").path
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: python), "no .venv (make pyenv)")
        let p = dir.appendingPathComponent("py.h5").path
        let r = try Launcher.run([python, "-c", """
        import h5py, numpy as np, sys
        rng = np.random.default_rng(1)
        with h5py.File(sys.argv[1], "w") as f:
            f.create_dataset("responses", data=(rng.random((30, 20)) < 0.5).astype("<f4"), chunks=(10, 20))
            s = h5py.string_dtype("utf-8")
            f.create_dataset("models/name", data=[f"m{i}" for i in range(30)], dtype=s)
            f.create_dataset("items/id", data=[f"q{j}" for j in range(20)], dtype=s)
            f.create_dataset("items/benchmark", data=["b"] * 20, dtype=s)
            f.attrs["response_kind"] = "binary"
        """, p])
        XCTAssertEqual(r.status, 0, r.stderr)
        let verify = try Launcher.irsl(["info", "--verify", p])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        XCTAssertTrue(verify.stdout.contains("OK") && verify.stdout.contains("no checksummed datasets"), verify.stdout)
        let fit = try Launcher.irsl(["fit", p, "--output", p + ".fit.h5", "--max-iterations", "5"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
    }
}
