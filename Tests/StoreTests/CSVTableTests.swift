import Foundation
import XCTest
import Store

/// The one CSV reader: quoting, line numbers, header lookup, missing values, errors.
final class CSVTableTests: StoreTestCase {
    func testLineNumbersCountBlankLinesAndBreaksInsideQuotes() throws {
        let text = "\u{FEFF}a,b\r\n\n\"two\nlines\",1\r\n\"x\r\ny\",2\n\n\n  \nlast,3"
        let t = try CSVTable(text: text, path: "t.csv")
        XCTAssertEqual(t.header, ["a", "b"])
        XCTAssertEqual(t.rows, [["two\nlines", "1"], ["x\r\ny", "2"], ["last", "3"]])
        XCTAssertEqual(t.lines, [3, 5, 10])
        // The line numbers reach the errors: the bad cell is on line 10.
        let bad = try CSVTable(text: text.replacingOccurrences(of: "last,3", with: "last,three"), path: "t.csv")
        XCTAssertThrowsError(try bad.doubles("b")) { error in
            XCTAssertEqual("\(error)", "t.csv: column b, line 10: expected a number or an empty cell, found 'three'")
        }
    }

    func testRaggedRecordNamesItsLine() {
        assertStoreError(["r.csv", "line 4", "expected 2 fields like the header, found 3"]) {
            try CSVTable(text: "a,b\n1,2\n\n1,2,3\n", path: "r.csv")
        }
        assertStoreError(["e.csv", "empty"]) { try CSVTable(text: "\n\n", path: "e.csv") }
        assertStoreError([path("absent.csv"), "cannot read"]) { try CSVTable(path: path("absent.csv")) }
    }

    func testHeaderLookupIsCaseInsensitiveAndTrimmed() throws {
        let t = try CSVTable(text: " Model ,ROLE\nm,train\n", path: "h.csv")
        XCTAssertEqual(t.header, ["Model", "ROLE"])
        XCTAssertEqual(t.columnIndex("model"), 0)
        XCTAssertEqual(t.columnIndex("fold", "role"), 1)
        XCTAssertTrue(t.hasColumn("mOdEl"))
        XCTAssertEqual(try t.column("role"), ["train"])
        assertStoreError(["h.csv", "column flags", "missing column", "'flags'", "(diagnostics)", "Model,ROLE"]) {
            try t.requiredColumn("flags", purpose: "diagnostics")
        }
    }

    func testMissingValuesAndInfinities() throws {
        let t = try CSVTable(text: "x,y\n,1\nNA,1\nnull,1\nNaN,1\n 2.5 ,1\ninf,1\n-Infinity,1\n1e-3,1\n\"\",1\n", path: "n.csv")
        let v = try t.doubles("x")
        XCTAssertEqual(v.count, 9)
        XCTAssertTrue(v[0...3].allSatisfy(\.isNaN), "empty, NA, null and nan are missing")
        XCTAssertEqual(Array(v[4...7]), [2.5, .infinity, -.infinity, 1e-3])
        XCTAssertTrue(v[8].isNaN, "a quoted empty cell is missing")
        assertStoreError(["n.csv", "column y, line 2", "'N/A'"]) {
            try CSVTable(text: "x,y\n1,N/A\n", path: "n.csv").doubles("y")
        }
    }

    func testWriterOutputReadsBackExactly() throws {
        var w = CSVWriter()
        w.row(["name", "value"])
        w.row(["comma, \"quoted\"\nand a break", CSVWriter.number(0.1)])
        w.row(["nan", CSVWriter.number(.nan)])
        let t = try CSVTable(text: w.text, path: "w.csv")
        XCTAssertEqual(t.rows[0][0], "comma, \"quoted\"\nand a break")
        XCTAssertEqual(try t.doubles("value")[0], 0.1)
        XCTAssertTrue(try t.doubles("value")[1].isNaN)
        XCTAssertEqual(t.lines, [2, 4])
    }
}

/// The typed readers of irsl's own CSV outputs, each against its writer.
final class OutputTableTests: StoreTestCase {
    func testSubsetRoundTripAndHandMadeFile() throws {
        let written = SubsetTable(path: "s.csv", rows: [
            .init(item: "q,1", benchmark: "arc", a: 1.5, d: -0.25, g: 0.25, info: 0.75),
            .init(item: "q2", benchmark: "mmlu", a: .nan, d: 0, g: 0, info: .nan),
        ])
        let text = written.csv()
        XCTAssertTrue(text.hasPrefix("item,benchmark,a,d,g,info\n\"q,1\",arc,1.5,-0.25,0.25,0.75\n"), text)
        let read = try SubsetTable.parse(CSVTable(text: text, path: "s.csv"))
        XCTAssertEqual(read.rows.map(\.item), ["q,1", "q2"])
        XCTAssertEqual(read.rows[0], written.rows[0])
        XCTAssertTrue(read.rows[1].a.isNaN && read.rows[1].info.isNaN)
        XCTAssertEqual(read.lines, [2, 3])
        let hand = try SubsetTable.parse(CSVTable(text: "ITEM\nq9\n\nq8\n", path: "h.csv"))
        XCTAssertEqual(hand.rows.map(\.item), ["q9", "q8"])
        XCTAssertEqual(hand.lines, [2, 4])
        XCTAssertEqual(hand.rows[0].g, 0)
        assertStoreError(["e.csv", "column item, line 3", "empty item id"]) {
            try SubsetTable.parse(CSVTable(text: "item,a\nq1,1\n,2\n", path: "e.csv"))
        }
    }

    func testForecastRoundTripWithBaselines() throws {
        let rows = [
            ForecastTable.Row(model: "m1", benchmark: "arc", predicted: 0.5, lower: 0.4, upper: 0.6, observed: 0.55,
                              family: "llama", fold: "f1", baselines: [.init(predicted: 0.45, lower: 0.3, upper: 0.6)]),
            ForecastTable.Row(model: "m2", benchmark: "arc", predicted: 0.7, lower: 0.6, upper: 0.8, observed: .nan,
                              family: nil, fold: nil, baselines: [.init(predicted: 0.65, lower: 0.5, upper: 0.8)]),
        ]
        let text = ForecastTable(path: "", rows: rows, baselines: ["flops_only"], hasObserved: true).csv()
        XCTAssertTrue(text.hasPrefix("model,benchmark,predicted,lower,upper,observed,family,fold,flops_only,flops_only_lower,flops_only_upper\n"), text)
        let read = try ForecastTable.parse(CSVTable(text: text, path: "f.csv"))
        XCTAssertTrue(read.hasObserved)
        XCTAssertEqual(read.baselines, ["flops_only"])
        XCTAssertEqual(read.rows[0], rows[0])
        XCTAssertTrue(read.rows[1].observed.isNaN)
        XCTAssertNil(read.rows[1].family)
        let plain = ForecastTable(path: "", rows: [.init(model: "m", benchmark: "b", predicted: 0.1, lower: 0, upper: 0.2)],
                                  baselines: [], hasObserved: false).csv()
        XCTAssertEqual(plain, "model,benchmark,predicted,lower,upper\nm,b,0.1,0.0,0.2\n")
    }

    func testDiagnosticsReadsTheHeaderItemsWrites() throws {
        var w = CSVWriter()
        w.row(ItemDiagnosticsTable.columns)
        w.row(["q1", "arc"] + Array(repeating: "1", count: 12) + [""])
        w.row(["q2", "arc"] + Array(repeating: "1", count: 12) + ["misfit;large_se"])
        let d = try ItemDiagnosticsTable.parse(CSVTable(text: w.text, path: "d.csv"))
        XCTAssertEqual(d.items, ["q1", "q2"])
        XCTAssertEqual(d.flagged, ["q2"])
        XCTAssertEqual(d.flags["q2"], ["misfit", "large_se"])
    }

    func testCovariatesFromCSVAndResponseFile() throws {
        let csv = path("m.csv")
        try "Model,family,params,tokens,flops\n\"a, 7b\",llama,7,1,\nb,,NA,,12\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let c = try ModelCovariates.read(csv: csv)
        XCTAssertEqual(c.map(\.name), ["a, 7b", "b"])
        XCTAssertEqual(c[0].family, "llama"); XCTAssertNil(c[1].family)
        XCTAssertEqual(c[0].effectiveFlops, 42, "6·P·T when FLOPs are unknown")
        XCTAssertEqual(c[1].effectiveFlops, 12)
        let bad = path("bad.csv")
        try "name,flops\nm1,12\nm2,lots\n".write(toFile: bad, atomically: true, encoding: .utf8)
        assertStoreError([bad, "column flops, line 3", "'lots'"]) { try ModelCovariates.read(csv: bad) }

        let h5 = path("data.h5")
        let info = ResponseFileInfo(path: h5, models: 3, items: 1, kind: .binary, hasTrials: false,
                                    modelNames: ["x", "y", "z"], families: ["f", "f", "g"],
                                    params: [1e9, .nan, 2], tokens: [1e12, 5, 3], flops: [.nan, .nan, 7],
                                    itemIDs: ["q"], benchmarks: ["b"], floor: nil)
        try writeAtomically(h5) { f in
            try writeResponseMetadata(f, info: info)
            try createResponseMatrices(f, info: info)
        }
        let r = try ModelCovariates.read(responseFile: h5)
        XCTAssertEqual(r.map(\.name), ["x", "y", "z"])
        XCTAssertEqual(r.map(\.family), ["f", "f", "g"])
        XCTAssertEqual(r[0].effectiveFlops, 6e21)
        XCTAssertTrue(r[1].effectiveFlops.isNaN)
        XCTAssertEqual(r[2].effectiveFlops, 7, "recorded FLOPs win over 6·P·T")
    }
}
