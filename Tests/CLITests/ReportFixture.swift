import Foundation
import Store
import XCTest

/// Small simulated demo data run through the real pipeline once per test
/// process: simulate → fit → law → items → select → forecast, ready for
/// `irsl report`.
final class ReportFixture {
    let dir: URL
    var path: (String) -> String { { self.dir.appendingPathComponent($0).path } }
    /// Shape of the simulated data.
    let models = 240, items = 300, benchmarks = 3
    /// The models the forecasts file forecasts: three of the fit (their fitted θ is the "true"
    /// value) and one new model, "brand-new", known only from new-models.csv.
    let forecastModels: [String]
    var fittedForecastModels: [String] { Array(forecastModels.prefix(3)) }
    let flaggedItems: Int
    let subsetPerBenchmark = 15

    private static var shared: Result<ReportFixture, Error>?
    private static let lock = NSLock()

    static func get() throws -> ReportFixture {
        lock.lock(); defer { lock.unlock() }
        if shared == nil { shared = Result { try ReportFixture() } }
        return try shared!.get()
    }

    private init() throws {
        dir = try Launcher.temporaryDirectory()
        func run(_ args: [String]) throws -> String {
            let r = try Launcher.irsl(args, timeout: 300)
            guard r.status == 0 else {
                throw NSError(domain: "ReportFixture", code: Int(r.status),
                              userInfo: [NSLocalizedDescriptionKey: "irsl \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)\(r.stdout)"])
            }
            return r.stdout
        }
        let root = dir
        let p = { (name: String) in root.appendingPathComponent(name).path }
        _ = try run(["simulate", "--models", "\(models)", "--items", "\(items)", "--benchmarks", "\(benchmarks)", "--families", "5",
                     "--response", "beta", "--seed", "11", "--output", p("demo.h5")])
        _ = try run(["fit", p("demo.h5"), "--output", p("demo-fit.h5")])
        _ = try run(["law", p("demo-fit.h5"), "--output", p("law.h5")])
        _ = try run(["items", p("demo-fit.h5"), "--min-discrimination", "0.7", "--output", p("diagnostics.csv")])
        _ = try run(["select", p("demo-fit.h5"), "--per-benchmark", "\(subsetPerBenchmark)", "--output", p("subset.csv")])
        // Three models of the file, by name, family and compute: the report places them by the
        // law and shows their fitted abilities as the true values.
        let info = try ResponseFileInfo.read(p("demo.h5"))
        let picked = [3, 100, 200]
        forecastModels = picked.map { info.modelNames[$0] } + ["brand-new"]
        let rows = picked.map { "\(info.modelNames[$0]),\(info.families?[$0] ?? ""),\(info.flops?[$0] ?? .nan)" }
            + ["brand-new,,\((info.flops ?? [1e24]).max()! * 2)"]
        try ("name,family,flops\n" + rows.joined(separator: "\n") + "\n").write(toFile: p("new-models.csv"), atomically: true, encoding: .utf8)
        _ = try run(["forecast", p("law.h5"), "--fit", p("demo-fit.h5"), "--models", p("new-models.csv"), "--output", p("forecasts.csv")])
        let diagnostics = try String(contentsOfFile: p("diagnostics.csv"), encoding: .utf8)
        flaggedItems = diagnostics.split(separator: "\n").dropFirst().filter { !$0.hasSuffix(",") }.count
    }
}

/// Reading charts out of HTML (the file or the browser's DOM).
enum ChartText {
    /// The text of `<svg id="ID" …>…</svg>`, or nil.
    static func svg(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "<svg id=\"\(id)\"") else { return nil }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Ids of every chart in the page, in order.
    static func chartIDs(in html: String) -> [String] {
        html.components(separatedBy: "<svg id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }
}
