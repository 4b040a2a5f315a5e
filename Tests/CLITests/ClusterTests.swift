import Foundation
import XCTest

/// The cluster scripts under Tests/cluster, run as part of the suite: a real
/// single-node Slurm running jobs/*.sbatch, and a two-host MPI job across
/// network namespaces. A script exits 77 only where the machine forbids what
/// it needs (daemons, namespaces); that is a skip with its message, not a pass.
final class ClusterTests: XCTestCase {
    override func setUpWithError() throws { try Launcher.requireCLITier() }

    func runScript(_ name: String, timeout: Int) throws {
        let script = Launcher.packageRoot.appendingPathComponent("Tests/cluster/\(name)").path
        let r = try Launcher.run(["bash", script], timeout: timeout)
        print(r.stdout)
        if r.status == 77 { throw XCTSkip("\(name): \(r.stderr)") }
        XCTAssertEqual(r.status, 0, "\(name) failed:\n\(r.stdout)\n\(r.stderr)")
    }

    func testSlurmJobsSubmitPreemptRequeueAndResume() throws {
        try runScript("slurm-test.sh", timeout: 900)
    }

    func testTwoHostFitMatchesOneHostAndLosingAHostEndsTheJob() throws {
        try runScript("multihost-test.sh", timeout: 600)
    }
}
