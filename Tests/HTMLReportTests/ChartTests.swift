import XCTest
import HTMLReport

final class ChartTests: XCTestCase {
    private func count(_ name: String, in e: SVGElement) -> Int {
        e.allElements.filter { $0.name == name }.count
    }

    func testScatterDrawsOneCircleWithHoverTextPerVisiblePoint() throws {
        let points: [ScatterMark.Point] = [.init(x: 1, y: 1, title: "a"), .init(x: 2, y: 3, title: "b"),
                                           .init(x: .nan, y: 1, title: "nan"), .init(x: 3, y: 2, title: "c")]
        let chart = Chart(id: "s", title: "scatter", x: .init(title: "x"), y: .init(title: "y"),
                          marks: [ScatterMark(points: points, color: "#000", cssClass: "model")])
        let svg = chart.render()
        let marks = try XCTUnwrap(svg.first(class: "marks"))
        XCTAssertEqual(count("circle", in: marks), 3)
        XCTAssertEqual(count("circle", in: svg), 3, "axes and legend add no circles")
        XCTAssertEqual(marks.allElements.compactMap { $0.name == "title" ? $0.text : nil }, ["a", "b", "c"])
        XCTAssertEqual(svg.attribute("id"), "s")
        XCTAssertEqual(svg.attribute("class"), "chart")
        XCTAssertEqual(marks.attribute("clip-path"), "url(#clip-s)")
    }

    func testPointsLandWhereTheScalesPutThem() throws {
        let chart = Chart(id: "p", title: "t", width: 500, height: 400, x: .init(title: "x", domain: 0...10),
                          y: .init(title: "y", domain: 0...1), marks: [ScatterMark(points: [.init(x: 5, y: 0.25)], color: "#000")])
        let f = chart.frame()
        let circle = try XCTUnwrap(chart.render().allElements.first { $0.name == "circle" })
        XCTAssertEqual(Double(circle.attribute("cx")!)!, f.area.x + f.area.width / 2, accuracy: 0.01)
        XCTAssertEqual(Double(circle.attribute("cy")!)!, f.area.maxY - f.area.height / 4, accuracy: 0.01)
        XCTAssertGreaterThan(f.area.x, 30, "room for the y labels and title")
        XCTAssertLessThan(f.area.maxX, 500)
        XCTAssertLessThan(f.area.maxY, 400 - 30, "room for the x labels and title")
    }

    func testOutsidePointsAreDroppedOrClampedToTheEdge() throws {
        let points: [ScatterMark.Point] = [.init(x: 0.5, y: 0.5), .init(x: 9, y: 0.5), .init(x: 0.5, y: -4)]
        func render(_ clamp: Bool) -> SVGElement {
            Chart(id: "c", title: "t", x: .init(title: "x", domain: 0...1), y: .init(title: "y", domain: 0...1),
                  marks: [ScatterMark(points: points, color: "#000", clampToArea: clamp)]).render()
        }
        XCTAssertEqual(count("circle", in: render(false)), 1)
        let clamped = render(true)
        XCTAssertEqual(count("circle", in: clamped), 3)
        XCTAssertEqual(clamped.allElements.filter { $0.classes.contains("clipped") }.count, 2)
    }

    func testAutomaticDomainCoversTheDataWithNiceEnds() {
        let chart = Chart(id: "d", title: "t", x: .init(title: "x"), y: .init(title: "y", include: [0]),
                          marks: [LineMark(points: [(x: 0.13, y: 3), (x: 0.92, y: 7.9)], color: "#000")])
        let f = chart.frame()
        XCTAssertEqual(f.x.domain, 0...1)
        XCTAssertEqual(f.y.domain, 0...8)
    }

    func testLogAxisDropsNonPositiveValuesAndTicksAtPowersOfTen() throws {
        let chart = Chart(id: "l", title: "t", x: .init(.log, title: "FLOPs"), y: .init(title: "θ"), marks: [
            ScatterMark(points: [.init(x: 2e21, y: 0), .init(x: 3e23, y: 1), .init(x: 0, y: 2), .init(x: -1, y: 2)], color: "#000"),
        ])
        let svg = chart.render()
        XCTAssertEqual(count("circle", in: svg), 2)
        XCTAssertEqual(chart.frame().x.domain, 1e21...1e24)
        let xAxis = try XCTUnwrap(svg.first(class: "x"))
        let labels = xAxis.allElements.filter { $0.classes.contains("tick-label") }.compactMap(\.text)
        XCTAssertEqual(labels, ["10²¹", "10²²", "10²³", "10²⁴"])
        XCTAssertEqual(xAxis.allElements.first { $0.classes.contains("axis-title") }?.text, "FLOPs")
    }

    func testLineBreaksAtMissingValuesAndBandIsOneClosedPath() throws {
        let frame = PlotFrame(area: Rect(x: 0, y: 0, width: 100, height: 100),
                              x: .linear(0...10, to: (0, 100)), y: .linear(0...10, to: (100, 0)))
        let line = LineMark(points: [(x: 0, y: 0), (x: 5, y: 5), (x: 6, y: .nan), (x: 8, y: 2), (x: 10, y: 0)], color: "#000")
        XCTAssertEqual(line.pathData(in: frame), "M0,100L50,50M80,80L100,100")
        let band = BandMark(x: [0, 10], lower: [0, 2], upper: [4, 6], color: "#000").render(in: frame)
        let path = try XCTUnwrap(band.allElements.first { $0.name == "path" })
        XCTAssertEqual(path.attribute("d"), "M0,60L100,40L100,80L0,100Z")
    }

    func testIntervalsAndBarsDrawOneShapePerDatum() {
        let frame = PlotFrame(area: Rect(x: 0, y: 0, width: 100, height: 100),
                              x: .linear(0...10, to: (0, 100)), y: .linear(0...10, to: (100, 0)))
        let bars = IntervalMark(intervals: [.init(at: 1, low: 2, high: 3, title: "m1"), .init(at: 4, low: 1, high: 9)], color: "#000").render(in: frame)
        XCTAssertEqual(count("path", in: bars), 2)
        XCTAssertEqual(bars.allElements.first { $0.name == "path" }?.attribute("d"), "M10,80L10,70M7,80L13,80M7,70L13,70")
        let hist = BarMark(bars: [.init(x0: 0, x1: 2, height: 5), .init(x0: 2, x1: 4, height: 10)], color: "#000").render(in: frame)
        XCTAssertEqual(count("rect", in: hist), 2)
        XCTAssertEqual(hist.allElements.last?.attribute("height"), "100")
    }

    func testCategoryAxisUsesGivenTicksAndLabels() throws {
        let chart = Chart(id: "f", title: "t", x: .init(title: "score", domain: 0...1),
                          y: .init(title: "", domain: 0.5...2.5, ticks: [1, 2], labels: ["model b · mmlu", "model a · arc"]),
                          marks: [ScatterMark(points: [.init(x: 0.5, y: 1), .init(x: 0.7, y: 2)], color: "#000")])
        let y = try XCTUnwrap(chart.render().first(class: "y"))
        XCTAssertEqual(y.allElements.filter { $0.classes.contains("tick-label") }.compactMap(\.text), ["model b · mmlu", "model a · arc"])
    }
}
