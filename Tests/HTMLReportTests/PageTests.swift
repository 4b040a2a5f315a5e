import XCTest
import HTMLReport
import Store

/// The page as a whole, from a small fit built in memory: which sections
/// appear, how many marks each chart has, and what happens without inputs.
final class PageTests: XCTestCase {
    static let families = ["llama", "qwen", "pythia"]

    /// 30 models (3 families, compute 1e20 … 1e23), 24 items in 2 benchmarks
    /// (one item id that needs escaping), Beta fit, 5 iterations.
    static func fit(response: String = "beta", dims: Int = 1) -> FitResult {
        let m = 30, n = 24
        let names = (0..<m).map { "model-\($0)" }
        let theta = (0..<m * dims).map { sin(Double($0)) }
        var ids = (0..<n).map { "q\($0)" }
        ids[5] = "q\"<5>&amp;"
        let benchmarks = (0..<n).map { $0 < 14 ? "arc" : "mmlu & co" }
        let a = (0..<n * dims).map { 0.5 + Double($0 % 7) * 0.2 }
        let d = (0..<n).map { cos(Double($0)) }
        let attrs = FitAttributes(loglik: -1234.5, nParameters: 80, aic: 2629, bic: 2800, iterations: 5, converged: true,
                                  ranks: 2, seconds: 1.5, model: "2pl", response: response, irslVersion: "0.1.0",
                                  command: "irsl fit data.h5 --output fit.h5", clampedEntries: 0, nObservations: 700)
        return FitResult(modelNames: names, theta: theta, thetaSE: [Double](repeating: 0.1, count: m * dims),
                         itemIDs: ids, itemBenchmarks: benchmarks, a: a, d: d, g: [Double](repeating: 0, count: n),
                         aSE: [Double](repeating: 0.1, count: n * dims), dSE: [Double](repeating: 0.1, count: n),
                         benchmarkNames: ["arc", "mmlu & co"], phi: response == "beta" ? [20, 35] : [.nan, .nan], dims: dims,
                         logLikelihoodHistory: [-3000, -1500, -1250, -1235, -1234.5], attributes: attrs)
    }

    static func models(_ fit: FitResult) -> ModelCovariateTable {
        let m = fit.modelNames.count
        return ModelCovariateTable(source: "data.h5", names: fit.modelNames,
                                   families: (0..<m).map { families[$0 % 3] },
                                   flops: (0..<m).map { $0 == 7 ? .nan : pow(10, 20 + 3 * Double($0) / Double(m)) })
    }

    /// The text of the element `<svg id="ID" …>…</svg>`.
    static func svg(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "<svg id=\"\(id)\"") else { return nil }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    func testFullPageHasEverySectionAndTheExpectedMarks() throws {
        let fit = Self.fit()
        let diagnostics = try ItemDiagnosticsTable.parse(CSVTable(text: "item,flags\nq1,misfit\nq20,near_zero_discrimination\nq2,\n", path: "diag.csv"))
        let subset = try SubsetTable.parse(CSVTable(text: "item,benchmark,a,d,g,info\nq1,arc,1,0,0,1\nq2,arc,1,0,0,1\nq15,mmlu & co,1,0,0,1\n", path: "subset.csv"))
        let forecasts = try ForecastTable.parse(CSVTable(text: "model,benchmark,predicted,lower,upper\nnew-1,arc,0.5,0.4,0.6\nnew-1,mmlu & co,0.3,0.2,0.45\n", path: "forecasts.csv"))
        let law = LawOverlay(source: "law.h5", summary: ["ability rises 0.4 per doubling"], covariates: "flops", level: 0.9,
                             curve: (0...10).map { k in
                                 let x = pow(10, 20 + 0.3 * Double(k)), m = -1 + 0.2 * Double(k)
                                 return .init(flops: x, mean: m, lower: m - 0.8, upper: m + 0.8)
                             },
                             familyCurves: [("llama", [.init(flops: 1e20, mean: -1, lower: .nan, upper: .nan),
                                                       .init(flops: 1e23, mean: 1, lower: .nan, upper: .nan)])],
                             forecasts: [.init(name: "new-1", family: "llama", flops: 1e23, mean: 1.1, lower: 0.3, upper: 1.9, fitted: 0.9)])
        let html = ReportPage.html(ReportInput(fit: fit, fitPath: "out/fit.h5", models: Self.models(fit), law: law,
                                               forecasts: forecasts, diagnostics: diagnostics, subset: subset))

        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for id in ReportPage.sectionIDs { XCTAssertTrue(html.contains("<section id=\"\(id)\""), "section \(id)") }
        XCTAssertFalse(html.contains("class=\"omitted\""))
        // Self-contained: no scripts, no external resources.
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://") || html.contains("src="))

        // Fit summary: shape, likelihood and criteria as printed.
        XCTAssertTrue(html.contains("<td>30 models × 24 items, 2 benchmarks</td>"))
        XCTAssertTrue(html.contains("<td>−1,234.5</td>"), "log-likelihood")
        XCTAssertTrue(html.contains("<td>2,629.0</td>") && html.contains("<td>2,800.0</td>"), "AIC and BIC")
        XCTAssertTrue(html.contains("<td>700 (97.2% of the matrix)</td>"))
        XCTAssertTrue(html.contains("<td class=\"num\">20.00</td>") && html.contains("<td class=\"num\">35.00</td>"), "φ per benchmark")
        // Log-likelihood: one point per iteration.
        let loglik = try XCTUnwrap(Self.svg("loglik-chart", in: html))
        XCTAssertEqual(Self.count("<circle", in: loglik), 5)
        // Abilities: 29 models with compute, plus one fitted ring of the forecast model.
        let ability = try XCTUnwrap(Self.svg("ability-chart", in: html))
        XCTAssertEqual(Self.count("<circle", in: ability), 29 + 1)
        XCTAssertEqual(Self.count("class=\"mark band law-band\"", in: ability), 1)
        XCTAssertEqual(Self.count("class=\"mark line law-family\"", in: ability), 1)
        XCTAssertTrue(ability.contains("<title>model-3 — llama, θ ="), "hover text names the model")
        for family in Self.families { XCTAssertTrue(ability.contains(">\(family)</text>"), "legend has \(family)") }
        // Item map: one panel per benchmark, one circle per item, flagged ones apart.
        let arc = try XCTUnwrap(Self.svg("item-map-arc", in: html))
        let mmlu = try XCTUnwrap(Self.svg("item-map-mmlu-co", in: html))
        XCTAssertEqual(Self.count("<circle", in: arc), 14)
        XCTAssertEqual(Self.count("<circle", in: mmlu), 10)
        XCTAssertEqual(Self.count("<circle", in: arc.components(separatedBy: "class=\"mark scatter item flagged\"")[1]), 1)
        XCTAssertTrue(arc.contains("<title>q&quot;&lt;5&gt;&amp;amp; — a =") || arc.contains("<title>q\"&lt;5&gt;&amp;amp; — a ="), "item id escaped in hover text")
        // Information: all items and the subset in each benchmark.
        let info = try XCTUnwrap(Self.svg("information-arc", in: html))
        XCTAssertEqual(Self.count("<path", in: info), 2)
        XCTAssertTrue(html.contains("id=\"information-table\""))
        // Forecasts: one interval and one point per row.
        let forecast = try XCTUnwrap(Self.svg("forecast-chart", in: html))
        XCTAssertEqual(Self.count("<circle", in: forecast), 2)
        XCTAssertEqual(Self.count("<path", in: forecast), 2)
        XCTAssertTrue(html.contains("id=\"forecast-table\""))
        XCTAssertTrue(html.contains("mmlu &amp; co"))
        XCTAssertFalse(html.contains("mmlu & co"), "benchmark names are escaped everywhere")
    }

    func testMissingInputsBecomeNotes() throws {
        let fit = Self.fit(response: "bernoulli")
        let html = ReportPage.html(ReportInput(fit: fit, fitPath: "fit.h5", modelsNote: "The fit's @command names no response file that exists here."))
        XCTAssertTrue(html.contains("<section id=\"forecasts\" class=\"omitted\""))
        XCTAssertTrue(html.contains("pass --forecasts forecasts.csv"))
        XCTAssertTrue(html.contains("pass --diagnostics diagnostics.csv"))
        XCTAssertTrue(html.contains("pass --subset subset.csv"))
        XCTAssertTrue(html.contains("names no response file"))
        // Without compute the abilities are a histogram; without a subset one line per panel.
        XCTAssertNil(Self.svg("ability-chart", in: html))
        let histogram = try XCTUnwrap(Self.svg("ability-histogram", in: html))
        XCTAssertEqual(Self.count("<rect", in: histogram.components(separatedBy: "class=\"marks\"")[1]), 24)
        XCTAssertEqual(Self.count("<path", in: try XCTUnwrap(Self.svg("information-arc", in: html))), 1)
        XCTAssertTrue(html.contains("Bernoulli likelihood"))
    }

    func testWithoutLawALeastSquaresLineIsDrawn() throws {
        let fit = Self.fit()
        let html = ReportPage.html(ReportInput(fit: fit, fitPath: "fit.h5", models: Self.models(fit)))
        let ability = try XCTUnwrap(Self.svg("ability-chart", in: html))
        XCTAssertEqual(Self.count("class=\"mark line least-squares\"", in: ability), 1)
        XCTAssertEqual(Self.count("<circle", in: ability), 29)
        XCTAssertTrue(html.contains("29 of 30 models with known compute"))
    }

    func testBacktestGetsAccuracyTable() throws {
        let text = """
        model,benchmark,predicted,lower,upper,observed,family,fold,flops_only,flops_only_lower,flops_only_upper
        m1,arc,0.5,0.4,0.6,0.55,llama,1,0.45,0.3,0.6
        m2,arc,0.7,0.6,0.8,0.9,llama,1,0.65,0.5,0.8
        """
        let fit = Self.fit()
        let html = ReportPage.html(ReportInput(fit: fit, fitPath: "fit.h5", forecasts: try ForecastTable.parse(CSVTable(text: text, path: "bt.csv"))))
        XCTAssertTrue(html.contains("id=\"backtest-table\""))
        XCTAssertTrue(html.contains("flops only MAE"))
        let chart = try XCTUnwrap(Self.svg("forecast-chart", in: html))
        XCTAssertEqual(Self.count("<circle", in: chart), 2)
        // law MAE over both: (0.05 + 0.2) / 2
        XCTAssertTrue(html.contains("<td class=\"num\">0.1250</td>"), "overall law MAE")
    }

    func testMultidimensionalFitOmitsInformation() {
        let html = ReportPage.html(ReportInput(fit: Self.fit(dims: 2), fitPath: "fit.h5"))
        XCTAssertTrue(html.contains("<section id=\"information\" class=\"omitted\""))
        XCTAssertTrue(html.contains("‖a‖"))
    }

    func testWriteIsAtomicAndComplete() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("irsl-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.html").path
        let html = try ReportPage.write(ReportInput(fit: Self.fit(), fitPath: "fit.h5"), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), html)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["r.html"], "no temporary file left")
        XCTAssertTrue(html.hasSuffix("</html>"))
    }
}
