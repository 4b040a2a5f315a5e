import XCTest
import HTMLReport

final class ScaleTests: XCTestCase {
    func testLinearMapping() {
        let x = Scale.linear(0...10, to: (100, 300))
        XCTAssertEqual(x.map(0), 100)
        XCTAssertEqual(x.map(10), 300)
        XCTAssertEqual(x.map(2.5), 150)
        XCTAssertEqual(x.invert(150), 2.5, accuracy: 1e-12)
        // y axes run from the bottom pixel up.
        let y = Scale.linear(-1...1, to: (400, 0))
        XCTAssertEqual(y.map(-1), 400)
        XCTAssertEqual(y.map(1), 0)
        XCTAssertEqual(y.map(0), 200)
    }

    func testLogMappingPutsEachDecadeAtEqualDistance() {
        let x = Scale.log(1...1000, to: (0, 300))
        XCTAssertEqual(x.map(1), 0, accuracy: 1e-9)
        XCTAssertEqual(x.map(10), 100, accuracy: 1e-9)
        XCTAssertEqual(x.map(100), 200, accuracy: 1e-9)
        XCTAssertEqual(x.invert(150), pow(10, 1.5), accuracy: 1e-9)
        XCTAssertTrue(x.map(0).isNaN, "zero has no place on a log axis")
        XCTAssertTrue(x.map(-5).isNaN)
        XCTAssertFalse(x.contains(0))
        XCTAssertTrue(x.contains(500))
        XCTAssertFalse(x.contains(5000))
    }

    func testClampedMapHoldsValuesAtTheEdges() {
        let x = Scale.linear(0...1, to: (10, 110))
        XCTAssertEqual(x.clampedMap(-3), 10)
        XCTAssertEqual(x.clampedMap(7), 110)
        XCTAssertEqual(x.clampedMap(0.5), 60)
    }

    func testTicksAndLabelsFollowTheKind() {
        let lin = Scale.linear(0...1, to: (0, 100))
        XCTAssertEqual(lin.ticks(), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(lin.labels(for: lin.ticks()), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let log = Scale.log(1e20...1e23, to: (0, 100))
        XCTAssertEqual(log.ticks(), [1e20, 1e21, 1e22, 1e23])
        XCTAssertEqual(log.labels(for: log.ticks()), ["10²⁰", "10²¹", "10²²", "10²³"])
    }

    func testNiceLogDomainCoversWholeDecadesOrPadsShortRanges() {
        XCTAssertEqual(Scale.niceDomain(kind: .log, lo: 3e20, hi: 4e23), 1e20...1e24)
        let short = Scale.niceDomain(kind: .log, lo: 2, hi: 8)
        XCTAssertLessThan(short.lowerBound, 2)
        XCTAssertGreaterThan(short.upperBound, 8)
    }
}
