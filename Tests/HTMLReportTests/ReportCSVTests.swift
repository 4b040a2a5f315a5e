import XCTest
import HTMLReport
import Store

final class ReportCSVTests: XCTestCase {
    func testQuotingLineEndsAndByteOrderMark() throws {
        let text = "\u{FEFF}item,flags\r\n\"q,1\",\"a;b\"\r\n\"say \"\"hi\"\"\",\n\n\"multi\nline\",x\n"
        let csv = try CSVTable(text: text, path: "d.csv")
        XCTAssertEqual(csv.header, ["item", "flags"])
        XCTAssertEqual(csv.rows, [["q,1", "a;b"], ["say \"hi\"", ""], ["multi\nline", "x"]])
        XCTAssertEqual(csv.lines, [2, 3, 5])
    }

    func testColumnsAreFoundByNameInAnyOrder() throws {
        let csv = try CSVTable(text: "info, Benchmark ,ITEM,extra\n1.5,arc,q1,zzz\n", path: "s.csv")
        let subset = try SubsetTable.parse(csv)
        XCTAssertEqual(subset.rows.map(\.item), ["q1"])
        XCTAssertEqual(subset.rows[0].benchmark, "arc")
        XCTAssertTrue(subset.rows[0].a.isNaN, "no a column: NaN, the fit's value is used")
    }

    func testMissingRequiredColumnNamesFileAndColumn() {
        XCTAssertThrowsError(try ItemDiagnosticsTable.parse(CSVTable(text: "item,benchmark\nq1,arc\n", path: "diag.csv"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("diag.csv") && text.contains("'flags'"), text)
        }
    }

    func testBadNumberNamesColumnAndLine() {
        let text = "model,benchmark,predicted,lower,upper\nm1,arc,0.5,0.4,0.6\nm2,arc,abc,0.4,0.6\n"
        XCTAssertThrowsError(try ForecastTable.parse(CSVTable(text: text, path: "f.csv"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("f.csv") && text.contains("column predicted") && text.contains("line 3") && text.contains("abc"), text)
        }
    }

    func testRaggedRowIsAnError() {
        XCTAssertThrowsError(try CSVTable(text: "a,b\n1,2,3\n", path: "r.csv")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
    }

    func testForecastsWithObservedAndBaselines() throws {
        let text = """
        model,benchmark,predicted,lower,upper,observed,family,fold,flops_only,flops_only_lower,flops_only_upper
        m1,arc,0.5,0.4,0.6,0.55,llama,1,0.45,0.3,0.6
        m2,arc,0.7,0.6,0.8,,,1,0.65,0.5,0.8

        """
        let f = try ForecastTable.parse(CSVTable(text: text, path: "b.csv"))
        XCTAssertTrue(f.hasObserved)
        XCTAssertEqual(f.baselines, ["flops_only"])
        XCTAssertEqual(f.rows[0].baselines, [.init(predicted: 0.45, lower: 0.3, upper: 0.6)])
        XCTAssertEqual(f.rows[0].family, "llama")
        XCTAssertNil(f.rows[1].family)
        XCTAssertTrue(f.rows[1].observed.isNaN)
        let plain = try ForecastTable.parse(CSVTable(text: "model,benchmark,predicted,lower,upper\nm,arc,0.5,0.4,0.6\n", path: "p.csv"))
        XCTAssertFalse(plain.hasObserved)
        XCTAssertEqual(plain.baselines, [])
    }

    func testDiagnosticsFlags() throws {
        let text = "item,benchmark,a,flags\nq1,arc,1,\nq2,arc,-0.3,negative_discrimination;misfit\n"
        let d = try ItemDiagnosticsTable.parse(CSVTable(text: text, path: "d.csv"))
        XCTAssertEqual(d.flagged, ["q2"])
        XCTAssertEqual(d.flags["q2"], ["negative_discrimination", "misfit"])
        XCTAssertEqual(d.items, ["q1", "q2"])
    }

    func testAccuracy() {
        let a = Statistics.accuracy(predicted: [0.5, 0.6, 0.7], lower: [0.4, 0.5, 0.6], upper: [0.6, 0.7, 0.8], observed: [0.55, 0.9, .nan])
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a.mae, 0.175, accuracy: 1e-12)
        XCTAssertEqual(a.rmse, ((0.05 * 0.05 + 0.3 * 0.3) / 2).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(a.coverage, 0.5)
        XCTAssertEqual(a.width, 0.2, accuracy: 1e-12)
        let ls = Statistics.leastSquares(x: [1, 2, 3, .nan], y: [1, 3, 5, 100])!
        XCTAssertEqual(ls.slope, 2, accuracy: 1e-12)
        XCTAssertEqual(ls.intercept, -1, accuracy: 1e-12)
        XCTAssertEqual(Statistics.quantile([3, 1, 2, .nan], 0.5), 2)
    }
}
