import XCTest
import HTMLReport

final class LegendTests: XCTestCase {
    func testEntriesComeFromLabelledMarksOnce() throws {
        let chart = Chart(id: "c", title: "t", x: .init(title: "x"), y: .init(title: "y"), marks: [
            ScatterMark(points: [.init(x: 0, y: 0)], color: "#111", label: "llama"),
            ScatterMark(points: [.init(x: 1, y: 1)], color: "#222", label: "qwen"),
            ScatterMark(points: [.init(x: 2, y: 2)], color: "#222", label: "qwen"),
            LineMark(points: [(x: 0, y: 0), (x: 1, y: 1)], color: "#000", label: "least squares"),
            LineMark(points: [(x: 0, y: 1), (x: 1, y: 2)], color: "#000"),
            BandMark(x: [0, 1], lower: [0, 0], upper: [1, 1], color: "#999", label: "band"),
        ])
        XCTAssertEqual(chart.legend.entries.map(\.label), ["llama", "qwen", "least squares", "band"])
        XCTAssertEqual(chart.legend.entries.map(\.symbol), [.point, .point, .line, .band])
        let svg = chart.render()
        let legend = try XCTUnwrap(svg.first(class: "legend"))
        XCTAssertEqual(legend.children.count, 4)
        XCTAssertEqual(legend.allElements.filter { $0.name == "text" }.map { $0.text ?? "" }, ["llama", "qwen", "least squares", "band"])
        // Swatches never use circles or paths, so those count data marks only.
        XCTAssertEqual(legend.allElements.filter { $0.name == "circle" || $0.name == "path" }.count, 0)
    }

    func testLegendWrapsIntoRows() {
        let entries = (0..<12).map { LegendEntry(label: "family number \($0)", color: "#000", symbol: .point) }
        let legend = Legend(entries: entries)
        let wide = legend.layout(width: 5000), narrow = legend.layout(width: 300)
        XCTAssertEqual(Set(wide.map(\.y)).count, 1)
        XCTAssertGreaterThan(Set(narrow.map(\.y)).count, 3)
        XCTAssertEqual(legend.height(width: 300), Double(Set(narrow.map(\.y)).count) * Legend.rowHeight)
        XCTAssertEqual(Legend(entries: []).height(width: 300), 0)
        for p in narrow { XCTAssertLessThan(p.x, 300) }
    }

    func testLabelsAreEscaped() {
        let svg = Legend(entries: [LegendEntry(label: "a<b & \"c\"", color: "#000", symbol: .line)]).render(x: 0, y: 0, width: 400).render()
        XCTAssertTrue(svg.contains(">a&lt;b &amp; \"c\"</text>"), svg)
    }
}
