import MessagePassing
import Foundation
import XCTest

/// The one-rank communicator that single-process fits and every in-process
/// calibration (tests, evaluate-subset, backtest) run on: each collective
/// must leave the values exactly as they are, and `abort` must end the
/// process with the code and the message.
final class SerialCommunicatorTests: XCTestCase {
    func testIsRankZeroOfOne() {
        let comm = SerialCommunicator()
        XCTAssertEqual(comm.rank, 0)
        XCTAssertEqual(comm.size, 1)
        XCTAssertTrue(comm.isRoot)
    }

    func testCollectivesAreTheIdentity() {
        let comm = SerialCommunicator()
        let original: [Double] = [1.5, -2, .infinity, 0, 1e300, -0.0]
        var values = original
        comm.allreduceSum(&values)
        XCTAssertEqual(values, original)
        comm.allreduceMax(&values)
        XCTAssertEqual(values, original)
        values.withUnsafeMutableBufferPointer { comm.broadcast($0, root: 0) }
        XCTAssertEqual(values, original)
        comm.barrier()
        XCTAssertEqual(comm.allreduceSum(3.25), 3.25)
        XCTAssertEqual(comm.allreduceMax(-7), -7)
        // NaN survives too (a sum over one rank adds nothing to it).
        XCTAssertTrue(comm.allreduceSum(.nan).isNaN)
        var empty: [Double] = []
        comm.allreduceSum(&empty)
        XCTAssertEqual(empty, [])
    }

    /// `abort` in a forked child: exit status and stderr line, checked by the parent
    /// with a bounded wait (a child that does not end within 10 s fails the test).
    func testAbortExitsWithTheCodeAndTheMessage() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let child = fork()
        if child == 0 {
            dup2(fds[1], 2)
            close(fds[0])
            SerialCommunicator().abort("bad value in data.h5", code: 3)
        }
        XCTAssertGreaterThan(child, 0, "fork failed")
        close(fds[1])
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(10)
        while waitpid(child, &status, WNOHANG) == 0 {
            guard Date() < deadline else {
                kill(child, SIGKILL); _ = waitpid(child, &status, 0)
                return XCTFail("the aborting child did not exit within 10 s")
            }
            usleep(10_000)
        }
        let message = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        XCTAssertEqual((status >> 8) & 0xff, 3, "exit code")
        XCTAssertEqual(status & 0x7f, 0, "ended by a signal")
        XCTAssertEqual(String(decoding: message, as: UTF8.self), "irsl: error: bad value in data.h5\n")
    }
}

/// The block partition every rank computes without communication.
final class RowPartitionTests: XCTestCase {
    func testBlocksCoverEveryRowOnceAndDifferByAtMostOne() {
        for rows in [0, 1, 2, 7, 301, 1000] {
            for parts in 1...9 {
                let blocks = (0..<parts).map { RowPartition(rows: rows, parts: parts, index: $0) }
                XCTAssertEqual(blocks.first?.start, 0)
                for (a, b) in zip(blocks, blocks.dropFirst()) { XCTAssertEqual(a.range.upperBound, b.start, "\(rows) rows, \(parts) parts") }
                XCTAssertEqual(blocks.last!.range.upperBound, rows)
                let counts = blocks.map(\.count)
                XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1)
                // The larger blocks come first.
                XCTAssertEqual(counts, counts.sorted(by: >))
            }
        }
    }

    func testUnevenSplitOfTheDocumentedExample() {
        // 301 rows on 4 ranks (as in DistributedFitTests): 76, 75, 75, 75.
        XCTAssertEqual((0..<4).map { RowPartition(rows: 301, parts: 4, index: $0).range },
                       [0..<76, 76..<151, 151..<226, 226..<301])
    }
}
