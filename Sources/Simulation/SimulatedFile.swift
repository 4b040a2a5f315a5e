import Dispatch
import Foundation
import IRT
import Store

/// Writes a simulator's matrix and truth in the response-file format
/// (docs/format.md), atomically: rows are generated a block at a time on all
/// cores and written as they come, so files larger than memory are fine.
public enum SimulatedFile {
    public static func write(_ spec: SimulationSpec, to path: String, chunkRows: Int) throws {
        let sim = Simulator(spec)
        let kind: ResponseKind = spec.response == .beta ? .probability : spec.response == .bernoulli ? .binary : .proportion
        var info = ResponseFileInfo(
            path: path, models: spec.models, items: spec.items, kind: kind, hasTrials: spec.response.needsTrials,
            modelNames: sim.modelNames, families: sim.familyNames,
            params: sim.params, tokens: sim.tokens, flops: sim.flops,
            itemIDs: sim.itemIDs, benchmarks: sim.itemBenchmarks,
            floor: spec.floor > 0 ? sim.g : nil)
        info.likelihood = spec.response.rawValue   // the truth's likelihood: what `fit --response auto` uses
        try writeAtomically(path) { file in
            try writeResponseMetadata(file, info: info)
            try Truth(theta: sim.theta, a: sim.a, d: sim.d, g: sim.g, phi: sim.phi, dims: spec.dims).write(file)
            let n = spec.items
            let block = max(1, chunkRows) * 8
            try file.createMatrix("/responses", type: .float32, rows: spec.models, cols: n, chunkRows: chunkRows)
            if spec.response.needsTrials {
                try file.createMatrix("/trials", type: .int32, rows: spec.models, cols: n, chunkRows: chunkRows)
            }
            // Generate a block of rows on all cores, then write it; memory stays O(block × N).
            var responses = [Float](repeating: 0, count: block * n)
            var trials = [Int32](repeating: 0, count: spec.response.needsTrials ? block * n : 0)
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            for start in stride(from: 0, to: spec.models, by: block) {
                let rows = start..<min(start + block, spec.models)
                responses.withUnsafeMutableBufferPointer { r in
                    trials.withUnsafeMutableBufferPointer { t in
                        let rBase = r, tBase = t
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            let lo = rows.lowerBound + rows.count * w / workers
                            let hi = rows.lowerBound + rows.count * (w + 1) / workers
                            guard lo < hi else { return }
                            let offset = (lo - rows.lowerBound) * n
                            let rs = UnsafeMutableBufferPointer(rebasing: rBase[offset..<(offset + (hi - lo) * n)])
                            let ts = tBase.isEmpty ? nil : UnsafeMutableBufferPointer(rebasing: tBase[offset..<(offset + (hi - lo) * n)])
                            sim.fill(rows: lo..<hi, responses: rs, trials: ts)
                        }
                    }
                }
                try responses.withUnsafeBufferPointer {
                    try file.writeRows("/responses", rowStart: rows.lowerBound, rowCount: rows.count,
                                       floats: UnsafeBufferPointer(rebasing: $0[0..<(rows.count * n)]))
                }
                if spec.response.needsTrials {
                    try trials.withUnsafeBufferPointer {
                        try file.writeRows("/trials", rowStart: rows.lowerBound, rowCount: rows.count,
                                           ints: UnsafeBufferPointer(rebasing: $0[0..<(rows.count * n)]))
                    }
                }
            }
        }
    }
}
