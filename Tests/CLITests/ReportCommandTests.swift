import Foundation
import Store
import XCTest

/// `irsl report` as a user runs it: which sections each combination of
/// inputs gives, how it finds the fit's input file, and its errors.
final class ReportCommandTests: XCTestCase {
    override func setUpWithError() throws { try Launcher.requireCLITier() }

    func testEveryInputGivesEverySection() throws {
        let f = try ReportFixture.get()
        let out = f.path("all.html")
        let r = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--law", f.path("law.h5"), "--forecasts", f.path("forecasts.csv"),
                                   "--diagnostics", f.path("diagnostics.csv"), "--subset", f.path("subset.csv"), "--models", f.path("new-models.csv"), "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        XCTAssertTrue(r.stdout.contains("families and compute from \(f.path("demo.h5"))"), "input found from the fit's @command: \(r.stdout)")
        XCTAssertTrue(r.stdout.contains("wrote \(out)"), r.stdout)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertFalse(html.contains("class=\"omitted\""), "no section omitted")
        let fit = try FitResult.read(f.path("demo-fit.h5"))
        let ability = try XCTUnwrap(ChartText.svg("ability-chart", in: html))
        // Every model (all have compute) plus a ring for each forecast model's fitted ability.
        XCTAssertEqual(ChartText.count("<circle", in: ability), f.models + f.fittedForecastModels.count)
        XCTAssertEqual(ChartText.count("class=\"mark band law-band\"", in: ability), 1)
        XCTAssertEqual(ChartText.count("class=\"mark scatter forecast\"", in: ability), 1)
        for name in f.forecastModels { XCTAssertTrue(ability.contains("<title>\(name) — forecast θ ="), name) }
        // One diamond and one interval per forecast model, the new one (known from --models) included.
        let diamonds = ability.components(separatedBy: "class=\"mark scatter forecast\"")[1].components(separatedBy: "</g>")[0]
        XCTAssertEqual(ChartText.count("<path", in: diamonds), f.forecastModels.count)
        let intervals = ability.components(separatedBy: "class=\"mark interval forecast-interval\"")[1].components(separatedBy: "</g>")[0]
        XCTAssertEqual(ChartText.count("<path", in: intervals), f.forecastModels.count)
        XCTAssertTrue(html.contains("Scaling law (\(f.path("law.h5")), flops covariates)"))
        XCTAssertEqual(ChartText.count("<circle", in: try XCTUnwrap(ChartText.svg("loglik-chart", in: html))), fit.logLikelihoodHistory.count)
        // The forecast table has every row of the file (12 = 3 models × 4 benchmarks is under the limit).
        let rows = try String(contentsOfFile: f.path("forecasts.csv"), encoding: .utf8).split(separator: "\n").count - 1
        let table = try XCTUnwrap(html.components(separatedBy: "id=\"forecast-table\"").dropFirst().first)
        XCTAssertEqual(ChartText.count("<tr>", in: table.components(separatedBy: "</table>")[0]), rows + 1)
    }

    func testInputCanBeGivenAndFitAloneDegradesToNotes() throws {
        let f = try ReportFixture.get()
        // A copy of the fit whose recorded input (@input) is not there.
        let dir = try Launcher.temporaryDirectory()
        let moved = dir.appendingPathComponent("fit.h5").path
        var fit = try FitResult.read(f.path("demo-fit.h5"))
        fit.attributes.command = "irsl fit /nonexistent/data.h5 --output fit.h5"
        fit.attributes.input = "/nonexistent/data.h5"
        try fit.write(to: moved)

        let bare = dir.appendingPathComponent("bare.html").path
        var r = try Launcher.irsl(["report", moved, "--output", bare])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("note: No families or compute: the fit's input /nonexistent/data.h5 (@input) does not exist here"), r.stdout)
        var html = try String(contentsOfFile: bare, encoding: .utf8)
        XCTAssertNil(ChartText.svg("ability-chart", in: html))
        XCTAssertNotNil(ChartText.svg("ability-histogram", in: html))
        XCTAssertTrue(html.contains("<section id=\"forecasts\" class=\"omitted\""))
        XCTAssertTrue(html.contains("pass --diagnostics diagnostics.csv (irsl items)"))
        XCTAssertEqual(ChartText.chartIDs(in: html).filter { $0.hasPrefix("item-map-") }.count, f.benchmarks)

        let given = dir.appendingPathComponent("given.html").path
        r = try Launcher.irsl(["report", moved, "--input", f.path("demo.h5"), "--output", given])
        XCTAssertEqual(r.status, 0, r.stderr)
        html = try String(contentsOfFile: given, encoding: .utf8)
        let ability = try XCTUnwrap(ChartText.svg("ability-chart", in: html))
        XCTAssertEqual(ChartText.count("<circle", in: ability), f.models)
        XCTAssertEqual(ChartText.count("class=\"mark line least-squares\"", in: ability), 1, "without a law: least squares")
    }

    func testErrorsNameTheFileAndWhatWasExpected() throws {
        let f = try ReportFixture.get()
        let dir = try Launcher.temporaryDirectory()
        let out = dir.appendingPathComponent("r.html").path
        let bad = dir.appendingPathComponent("diag.csv").path
        try "item,benchmark\nq1,arc\n".write(toFile: bad, atomically: true, encoding: .utf8)
        var r = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--diagnostics", bad, "--output", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains(bad) && r.stderr.contains("'flags'"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no report after an error")

        let badNumber = dir.appendingPathComponent("f.csv").path
        try "model,benchmark,predicted,lower,upper\nm,arc,high,0.1,0.9\n".write(toFile: badNumber, atomically: true, encoding: .utf8)
        r = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--forecasts", badNumber, "--output", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains(badNumber) && r.stderr.contains("column predicted, line 2"), r.stderr)

        r = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--law", dir.appendingPathComponent("missing.h5").path, "--output", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("missing.h5"), r.stderr)

        // A law belongs to one fit: another fit's law is refused.
        var other = try FitResult.read(f.path("demo-fit.h5"))
        other.attributes.loglik += 1
        let otherPath = dir.appendingPathComponent("other.h5").path
        try other.write(to: otherPath)
        r = try Launcher.irsl(["report", otherPath, "--law", f.path("law.h5"), "--output", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("law.h5"), r.stderr)

        r = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--models", f.path("new-models.csv"), "--output", out])
        XCTAssertEqual(r.status, 64, "--models without --law is a usage error")
        XCTAssertTrue(r.stderr.contains("--law"), r.stderr)

        r = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--level", "1.5", "--output", out])
        XCTAssertEqual(r.status, 64, "a usage error")
        XCTAssertTrue(r.stderr.contains("--level"), r.stderr)
    }
}
