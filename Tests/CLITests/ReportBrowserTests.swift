import Foundation
import Store
import XCTest

/// The report as a person sees it: headless Chromium (Debian's, installed by
/// scripts/install-chromium.sh) loads the page with every network name
/// unresolvable, must log no console or load error, must build the DOM
/// with each chart's marks, and must paint a page that is not blank.
///
/// Fails when chromium is missing (CI must install it); set
/// IRSL_SKIP_BROWSER=1 to skip locally.
final class ReportBrowserTests: XCTestCase {
    override func setUpWithError() throws { try Launcher.requireCLITier() }

    func testReportLoadsCleanlyAndShowsEveryChart() throws {
        if ProcessInfo.processInfo.environment["IRSL_SKIP_BROWSER"] == "1" {
            throw XCTSkip("IRSL_SKIP_BROWSER=1: browser test skipped")
        }
        let chromium = try XCTUnwrap(Browser.executable(),
                                     "chromium is not installed: run `bash scripts/install-chromium.sh` (apt-get install -y chromium)")
        let f = try ReportFixture.get()
        let dir = try Launcher.temporaryDirectory()
        let page = dir.appendingPathComponent("report.html").path
        let made = try Launcher.irsl(["report", f.path("demo-fit.h5"), "--law", f.path("law.h5"), "--forecasts", f.path("forecasts.csv"),
                                      "--diagnostics", f.path("diagnostics.csv"), "--subset", f.path("subset.csv"), "--models", f.path("new-models.csv"), "--output", page])
        XCTAssertEqual(made.status, 0, made.stderr)
        let html = try String(contentsOfFile: page, encoding: .utf8)

        // 1. The DOM Chromium builds, and its log: no console message, no failed load.
        let dom = try Browser.run(chromium, ["--dump-dom", "file://" + page], profile: dir.appendingPathComponent("profile-dom"))
        XCTAssertEqual(dom.status, 0, dom.stderr)
        XCTAssertEqual(Browser.problems(in: dom.stderr), [], "the page logged errors")
        XCTAssertTrue(dom.stdout.contains("<h1>irsl report"), "DOM has the page: \(dom.stdout.prefix(300))")

        // Nothing to fetch: no scripts, external links, sources or stylesheets; hrefs are in-page anchors.
        for needle in ["<script", "<link", " src=", "@import", "url(http"] {
            XCTAssertFalse(dom.stdout.contains(needle), "the DOM has \(needle)")
        }
        for href in dom.stdout.components(separatedBy: " href=\"").dropFirst() { XCTAssertTrue(href.hasPrefix("#"), "href=\"\(href.prefix(40))") }
        for url in dom.stdout.components(separatedBy: "url(").dropFirst() { XCTAssertTrue(url.hasPrefix("#"), "url(\(url.prefix(40))") }

        let fit = try FitResult.read(f.path("demo-fit.h5"))
        var expected: [String: (circles: Int?, paths: Int?)] = [
            "loglik-chart": (fit.logLikelihoodHistory.count, 1),
            "ability-chart": (f.models + f.fittedForecastModels.count, nil),
            "forecast-chart": (f.forecastModels.count * f.benchmarks, f.forecastModels.count * f.benchmarks),
        ]
        for b in fit.benchmarkNames {
            let slug = b.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            expected["item-map-" + slug] = (fit.itemBenchmarks.filter { $0 == b }.count, 0)
            expected["information-" + slug] = (0, 2)
        }
        let ids = ChartText.chartIDs(in: dom.stdout)
        XCTAssertEqual(Set(ids), Set(expected.keys), "the charts in the browser's DOM")
        for (id, want) in expected {
            let chart = try XCTUnwrap(ChartText.svg(id, in: dom.stdout), id)
            let circles = ChartText.count("<circle", in: chart), paths = ChartText.count("<path", in: chart)
            if let c = want.circles { XCTAssertEqual(circles, c, "<circle> in #\(id)") }
            if let p = want.paths { XCTAssertEqual(paths, p, "<path> in #\(id)") }
            // The browser parsed exactly what the file has.
            let source = try XCTUnwrap(ChartText.svg(id, in: html))
            XCTAssertEqual(circles, ChartText.count("<circle", in: source), "#\(id) in DOM and file")
            XCTAssertEqual(paths, ChartText.count("<path", in: source), "#\(id) in DOM and file")
        }
        // Flagged items are drawn apart, every one of them.
        let flagged = dom.stdout.components(separatedBy: "class=\"mark scatter item flagged\"").dropFirst()
            .map { ChartText.count("<circle", in: $0.components(separatedBy: "</g>")[0]) }.reduce(0, +)
        XCTAssertEqual(flagged, f.flaggedItems)
        XCTAssertGreaterThan(f.flaggedItems, 0, "the fixture flags some items")

        // 2. The screenshot at 1280 px is a painted page, not a blank one; a
        // blank page through the same check shows that it can tell.
        let png = dir.appendingPathComponent("report.png").path
        let shot = try Browser.run(chromium, ["--screenshot=" + png, "--window-size=1280,4000", "file://" + page],
                                   profile: dir.appendingPathComponent("profile-png"))
        XCTAssertEqual(shot.status, 0, shot.stderr)
        XCTAssertEqual(Browser.problems(in: shot.stderr), [])
        let stats = try Browser.pngStats(png)
        XCTAssertEqual(stats.width, 1280)
        XCTAssertEqual(stats.height, 4000)
        XCTAssertGreaterThan(stats.bytes, 100_000, "a page of charts compresses to more than 100 kB")
        XCTAssertGreaterThan(stats.ink, 0.03, "share of non-white pixels")
        XCTAssertGreaterThan(stats.rowsWithInk, 0.3, "content spreads down the page")
        XCTAssertGreaterThan(stats.colours, 60, "family and benchmark colours are painted")

        let blankPage = dir.appendingPathComponent("blank.html").path
        try "<!DOCTYPE html><html><body></body></html>".write(toFile: blankPage, atomically: true, encoding: .utf8)
        let blankPNG = dir.appendingPathComponent("blank.png").path
        _ = try Browser.run(chromium, ["--screenshot=" + blankPNG, "--window-size=1280,4000", "file://" + blankPage],
                            profile: dir.appendingPathComponent("profile-blank"))
        let blank = try Browser.pngStats(blankPNG)
        XCTAssertLessThan(blank.ink, 0.001)
        XCTAssertLessThan(blank.colours, 3)
        if ProcessInfo.processInfo.environment["IRSL_KEEP_SCREENSHOT"] != nil { print("screenshot: \(png)") }
    }
}

/// Headless Chromium and the PNG check.
enum Browser {
    static func executable() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/chromium"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs Chromium headless with a fresh profile, logging to stderr, and
    /// every host name mapped to nowhere so any network fetch fails loudly.
    static func run(_ chromium: String, _ arguments: [String], profile: URL) throws -> Launcher.Result {
        try Launcher.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                          "--user-data-dir=" + profile.path, "--enable-logging=stderr", "--v=0",
                          "--host-resolver-rules=MAP * ~NOTFOUND"] + arguments, timeout: 120)
    }

    /// Log lines about the page: console messages, failed loads, blocked
    /// resources. (Chromium's own complaints about D-Bus and the like are not.)
    static func problems(in log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            ["CONSOLE", "Uncaught", "net::ERR", "Failed to load", "Refused to", "Not allowed to load"].contains { line.contains($0) }
        }
    }

    struct PNGStats: Decodable {
        var width: Int, height: Int, bytes: Int
        /// Share of sampled pixels that are not (near) white.
        var ink: Double
        /// Share of rows with any such pixel.
        var rowsWithInk: Double
        /// Distinct colours (5 bits per channel) on a sample of rows.
        var colours: Int
    }

    /// Decodes the PNG with python3's zlib (no imaging library needed) and
    /// measures it: IHDR, IDAT inflated, rows unfiltered (PNG filters 0–4).
    static func pngStats(_ path: String) throws -> PNGStats {
        let r = try Launcher.run(["python3", "-c", pngScript, path], timeout: 120)
        guard r.status == 0 else { throw NSError(domain: "png", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        return try JSONDecoder().decode(PNGStats.self, from: Data(r.stdout.utf8))
    }

    static let pngScript = #"""
    import sys, zlib, struct, json, os
    path = sys.argv[1]
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n': sys.exit('not a PNG: ' + path)
    pos, idat = 8, []
    while pos < len(data):
        n, = struct.unpack('>I', data[pos:pos+4]); kind = data[pos+4:pos+8]
        if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', data[pos+8:pos+18])
        if kind == b'IDAT': idat.append(data[pos+8:pos+8+n])
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6): sys.exit('unsupported PNG: depth %d, colour type %d' % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat)); stride = w * bpp
    prev = bytearray(stride); ink = total = inkRows = 0; colours = set()
    for y in range(h):
        f = raw[y * (stride + 1)]; line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride): line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c; pa = abs(p - a); pb = abs(p - b); pc = abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif f != 0: sys.exit('bad filter %d on row %d' % (f, y))
        prev = line; rowInk = 0
        for x in range(0, stride, bpp * 2):
            r, g, b = line[x], line[x + 1], line[x + 2]; total += 1
            if r < 245 or g < 245 or b < 245: rowInk += 1
            if y % 8 == 0: colours.add((r >> 3, g >> 3, b >> 3))
        ink += rowInk; inkRows += rowInk > 0
    print(json.dumps({'width': w, 'height': h, 'bytes': os.path.getsize(path), 'ink': ink / total,
                      'rowsWithInk': inkRows / h, 'colours': len(colours)}))
    """#
}
