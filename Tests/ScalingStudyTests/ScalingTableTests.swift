import Foundation
import ScalingStudy
import Store
import XCTest

/// The study's arithmetic and its sources of timings, without launching a fit.
final class ScalingTableTests: XCTestCase {
    func timings(_ compute: Double, _ allreduce: Double) -> StudyTimings {
        StudyTimings(read: 0.5, compute: compute, allreduce: allreduce, iterations: 8, peakRSSMB: 100)
    }

    /// Strong: speed-up t(1)/t(P) against the smallest rank count; weak: efficiency t(1)/t(P).
    func testSpeedUpAndEfficiency() {
        let rows = [ScalingRow(mode: "strong", ranks: 1, models: 100, items: 10, seconds: 9, timings: timings(7, 1)),
                    ScalingRow(mode: "strong", ranks: 2, models: 100, items: 10, seconds: 5, timings: timings(3, 1)),
                    ScalingRow(mode: "weak", ranks: 1, models: 50, items: 10, seconds: 5, timings: timings(4, 0)),
                    ScalingRow(mode: "weak", ranks: 4, models: 200, items: 10, seconds: 6, timings: timings(4, 1))]
        let table = ScalingTable(rows: rows, cores: 2)
        XCTAssertEqual(table.scaling(rows[0]).speedup, 1)
        XCTAssertEqual(table.scaling(rows[1]).speedup, 2)
        XCTAssertEqual(table.scaling(rows[1]).efficiency, 1)
        XCTAssertEqual(table.scaling(rows[3]).efficiency, 0.8)
        let csv = table.csv().split(separator: "\n")
        XCTAssertEqual(csv.count, 5)
        XCTAssertTrue(csv[0].hasPrefix("mode,ranks,models,items,seconds,read_seconds,compute_seconds,allreduce_seconds,iterations,peak_rss_mb"))
        XCTAssertTrue(csv[4].hasSuffix(",1"), "4 ranks on 2 cores are oversubscribed: \(csv[4])")
        XCTAssertTrue(table.markdown().contains("| weak | 4* |"))
    }

    /// A fit file's timing attributes; a file without them gives nil (the command then falls back to the printed line).
    func testTimingsFromFitFileAttributes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("timings-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try H5File(path, mode: .truncate)
        try file.setAttribute("read_seconds", 0.25)
        try file.setAttribute("compute_seconds", 3.5)
        try file.setAttribute("allreduce_seconds", 0.125)
        try file.setAttribute("iterations", 8)
        file.close()
        XCTAssertNil(try StudyTimings(fitFile: path), "peak_rss_mb is missing")
        let again = try H5File(path, mode: .readWrite)
        try again.setAttribute("peak_rss_mb", 612.5)
        again.close()
        XCTAssertEqual(try StudyTimings(fitFile: path), StudyTimings(read: 0.25, compute: 3.5, allreduce: 0.125, iterations: 8, peakRSSMB: 612.5))
    }

    func testTimingsLineOfTheFitsOutput() {
        let output = "iter 1 ...\ntimings: read_seconds=0.120 compute_seconds=2.500 allreduce_seconds=0.300 iterations=8 peak_rss_mb=55.5\nwrote fit.h5\n"
        XCTAssertEqual(StudyTimings(parsing: output), StudyTimings(read: 0.12, compute: 2.5, allreduce: 0.3, iterations: 8, peakRSSMB: 55.5))
        XCTAssertNil(StudyTimings(parsing: "timings: read_seconds=1\n"))
        XCTAssertNil(StudyTimings(parsing: "no such line\n"))
    }
}
