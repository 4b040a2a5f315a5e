import CMPI
import Foundation

/// MPI_COMM_WORLD behind the `Communicator` protocol.
///
/// Failure policy: any error ends the job with MPI_Abort, so one rank's bad
/// file or assertion can never leave the others waiting in a collective.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private var finalized = false

    /// Initialises MPI. Call once per process, before any other MPI use.
    public init() {
        var argc: Int32 = 0
        var provided: Int32 = 0
        _ = MPI_Init_thread(&argc, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        irsl_mpi_errors_return()
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(irsl_mpi_comm_world(), &r)
        MPI_Comm_size(irsl_mpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    /// True when this process was started by mpirun/srun (so several ranks
    /// may exist). Checked before MPI_Init so a plain run needs no launcher.
    public static var launchedByMPI: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_RANK"] != nil
    }

    private func check(_ code: Int32, _ what: String) {
        if code != irsl_mpi_success() { abort("\(what) failed with MPI error \(code)", code: 70) }
    }

    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, let base = values.baseAddress else { return }
        check(MPI_Allreduce(irsl_mpi_in_place(), base, Int32(values.count), irsl_mpi_double(), irsl_mpi_sum(), irsl_mpi_comm_world()), "MPI_Allreduce")
    }

    public func allreduceMax(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, let base = values.baseAddress else { return }
        check(MPI_Allreduce(irsl_mpi_in_place(), base, Int32(values.count), irsl_mpi_double(), irsl_mpi_max(), irsl_mpi_comm_world()), "MPI_Allreduce")
    }

    public func broadcast(_ values: UnsafeMutableBufferPointer<Double>, root: Int) {
        guard size > 1, let base = values.baseAddress else { return }
        check(MPI_Bcast(base, Int32(values.count), irsl_mpi_double(), Int32(root), irsl_mpi_comm_world()), "MPI_Bcast")
    }

    public func barrier() {
        guard size > 1 else { return }
        check(MPI_Barrier(irsl_mpi_comm_world()), "MPI_Barrier")
    }

    public func abort(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("irsl: error (rank \(rank) of \(size)): \(message)\n".utf8))
        MPI_Abort(irsl_mpi_comm_world(), code)
        exit(code)
    }

    /// Ends MPI after a successful run. Only for the success path: see `abort`.
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }
}
