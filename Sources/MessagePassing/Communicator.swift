/// The collectives the distributed fit needs, and nothing more.
///
/// The calibration driver talks to this protocol, not to MPI, so the same
/// code runs under `mpirun` (`MPICommunicator`) and in-process in tests and
/// single-rank runs (`SerialCommunicator`).
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Element-wise sum over all ranks, result on every rank.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Element-wise maximum over all ranks, result on every rank.
    func allreduceMax(_ values: UnsafeMutableBufferPointer<Double>)
    /// Copies `values` from `root` to every rank.
    func broadcast(_ values: UnsafeMutableBufferPointer<Double>, root: Int)
    func barrier()
    /// Ends every rank of the job at once, with `message` printed by this rank.
    /// Never returns. (Under OpenMPI 4.1, MPI_Finalize followed by a non-zero
    /// exit hangs the job, so errors must go through here.)
    func abort(_ message: String, code: Int32) -> Never
}

extension Communicator {
    public func allreduceSum(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { allreduceSum($0) }
    }
    public func allreduceMax(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { allreduceMax($0) }
    }
    public func allreduceSum(_ value: Double) -> Double {
        var v = [value]; allreduceSum(&v); return v[0]
    }
    public func allreduceMax(_ value: Double) -> Double {
        var v = [value]; allreduceMax(&v); return v[0]
    }
    public var isRoot: Bool { rank == 0 }
}

/// Contiguous block partition of `count` rows over `parts` ranks: the first
/// `count % parts` ranks get one extra row. Every rank can compute every
/// other rank's block without communication.
public struct RowPartition: Equatable, Sendable {
    public let start: Int
    public let count: Int

    public init(rows: Int, parts: Int, index: Int) {
        precondition(parts > 0 && index >= 0 && index < parts)
        let base = rows / parts, extra = rows % parts
        count = base + (index < extra ? 1 : 0)
        start = index * base + min(index, extra)
    }

    public var range: Range<Int> { start..<(start + count) }
}
