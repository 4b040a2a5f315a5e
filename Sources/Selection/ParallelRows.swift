import Foundation

/// Runs `body(i)` for every i in 0..<count on all cores: one worker per
/// core, each taking every `workers`-th index, so the per-model work of
/// scoring, CAT and the subset evaluation spreads evenly without a task per model.
public func concurrentForEach(_ count: Int, _ body: (Int) -> Void) {
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        for i in stride(from: w, to: count, by: workers) { body(i) }
    }
}

/// `body(i)` for every i in 0..<count, computed on all cores, in index order.
public func parallelMap<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    var out = [T?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { buffer in
        let o = buffer
        concurrentForEach(count) { o[$0] = body($0) }
    }
    return out.map { $0! }
}

/// [count × width]: row i is `body(i)` (`width` values), computed on all cores.
public func parallelRows(_ count: Int, width: Int, _ body: (Int) -> [Double]) -> [Double] {
    var out = [Double](repeating: .nan, count: count * width)
    out.withUnsafeMutableBufferPointer { buffer in
        let o = buffer
        concurrentForEach(count) { i in
            let v = body(i)
            for c in 0..<width { o[i * width + c] = v[c] }
        }
    }
    return out
}
