import Foundation
import XCTest

final class ScalingStudyTests: XCTestCase {
    override func setUpWithError() throws { try Launcher.requireCLITier() }

    /// A tiny study: every run appears in the CSV with the documented columns,
    /// the markdown table and the SVG plot are written, and oversubscribed
    /// runs are marked.
    func testStudyWritesCSVTableAndPlot() throws {
        let dir = try Launcher.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Launcher.irsl(["scaling-study", "--models", "120", "--items", "400", "--ranks", "1,2,3",
                                   "--weak", "60", "--iterations", "3", "--output", dir.path], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let csv = try String(contentsOfFile: dir.appendingPathComponent("scaling.csv").path, encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = csv[0]
        for column in ["mode", "ranks", "models", "items", "seconds", "read_seconds", "compute_seconds", "allreduce_seconds", "iterations", "peak_rss_mb"] {
            XCTAssertTrue(header.contains(column), "missing column \(column)")
        }
        let rows = csv.dropFirst()
        XCTAssertEqual(rows.count, 6)
        let mode = header.firstIndex(of: "mode")!, ranks = header.firstIndex(of: "ranks")!, models = header.firstIndex(of: "models")!
        XCTAssertEqual(rows.filter { $0[mode] == "strong" }.map { $0[ranks] }, ["1", "2", "3"])
        // Weak scaling: rows grow with ranks.
        XCTAssertEqual(rows.filter { $0[mode] == "weak" }.map { $0[models] }, ["60", "120", "180"])
        let iterations = header.firstIndex(of: "iterations")!, rss = header.firstIndex(of: "peak_rss_mb")!
        XCTAssertTrue(rows.allSatisfy { $0[iterations] == "3" && Double($0[rss])! > 1 })
        let md = try String(contentsOfFile: dir.appendingPathComponent("scaling.md").path, encoding: .utf8)
        XCTAssertTrue(md.contains("| strong | 3") && md.contains("oversubscribed"), md)
        let svg = try String(contentsOfFile: dir.appendingPathComponent("scaling.svg").path, encoding: .utf8)
        XCTAssertTrue(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 6, "one point per run")
        XCTAssertTrue(svg.contains("ideal speed-up"))
    }
}
