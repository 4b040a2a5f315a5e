import XCTest
import HTMLReport

final class TicksTests: XCTestCase {
    func testUnitIntervalGetsTenthsOfTwo() {
        XCTAssertEqual(Ticks.linear(0, 1, target: 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
    }

    func testStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(Ticks.niceStep(span: 1, target: 5), 0.2)
        XCTAssertEqual(Ticks.niceStep(span: 10, target: 5), 2)
        XCTAssertEqual(Ticks.niceStep(span: 100, target: 5), 20)
        XCTAssertEqual(Ticks.niceStep(span: 7, target: 5), 1)
        XCTAssertEqual(Ticks.niceStep(span: 30, target: 5), 5)
        XCTAssertEqual(Ticks.niceStep(span: 0.03, target: 5), 0.005, accuracy: 1e-15)
    }

    func testTicksAreExactDecimalsAndStayInRange() {
        let t = Ticks.linear(-0.35, 0.72, target: 5)
        XCTAssertEqual(t, [-0.2, 0, 0.2, 0.4, 0.6])
        XCTAssertEqual(Ticks.linear(-3.2, 7.9, target: 5), [-2, 0, 2, 4, 6])
        // Negative, large values (a log-likelihood) get integer ticks.
        XCTAssertEqual(Ticks.linear(-2_700_000, -2_600_000, target: 5), [-2_700_000, -2_680_000, -2_660_000, -2_640_000, -2_620_000, -2_600_000])
    }

    func testNiceDomainWidensToTicks() {
        XCTAssertEqual(Ticks.niceDomain(0.13, 0.92), 0...1)
        XCTAssertEqual(Ticks.niceDomain(-3.2, 7.9), -4...8)
        // A single value gets a range around it.
        let d = Ticks.niceDomain(5, 5)
        XCTAssertTrue(d.contains(5) && d.lowerBound < 5 && d.upperBound > 5)
    }

    func testLogTicksArePowersOfTen() {
        XCTAssertEqual(Ticks.log(1e20, 1e25), [1e20, 1e21, 1e22, 1e23, 1e24, 1e25])
        XCTAssertEqual(Ticks.log(3e20, 5e23), [1e21, 1e22, 1e23])
        // Less than a decade: 1, 2 and 5 times the powers of ten.
        XCTAssertEqual(Ticks.log(1.5, 40), [2, 5, 10, 20])
        XCTAssertEqual(Ticks.log(-1, 10), [])
    }

    func testVeryWideLogRangeKeepsAboutEightLabels() {
        let t = Ticks.log(1e-10, 1e30)
        XCTAssertLessThanOrEqual(t.count, 9)
        XCTAssertEqual(t.first, 1e-10)
        for v in t { XCTAssertEqual(log10(v), log10(v).rounded(), accuracy: 1e-9) }
    }

    func testLabels() {
        XCTAssertEqual(Ticks.label(0.6000000000000001, step: 0.2), "0.6")
        XCTAssertEqual(Ticks.label(0, step: 0.2), "0.0")
        XCTAssertEqual(Ticks.label(-2, step: 1), "−2")
        XCTAssertEqual(Ticks.label(15, step: 5), "15")
        XCTAssertEqual(Ticks.label(-26_900_000, step: 100_000), "−26.9M")
        XCTAssertEqual(Ticks.label(20_000, step: 10_000), "20k")
        XCTAssertEqual(Ticks.logLabel(1e21), "10²¹")
        XCTAssertEqual(Ticks.logLabel(1e-5), "10⁻⁵")
        XCTAssertEqual(Ticks.logLabel(100), "100")
        XCTAssertEqual(Ticks.logLabel(0.05), "0.05")
        XCTAssertEqual(Ticks.logLabel(2e22), "2×10²²")
        XCTAssertEqual(Ticks.decimalsFor(step: 0.25), 2)
        XCTAssertEqual(Ticks.decimalsFor(step: 5), 0)
    }
}
