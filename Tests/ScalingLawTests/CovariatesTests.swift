import Foundation
import ScalingLaw
import Store
import XCTest

final class CovariatesTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("irsl-law-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testCSVReadsQuotedFieldsAndEmptyCells() throws {
        let path = try write("m.csv", "\u{FEFF}Name,family,params,tokens,flops\r\n\"llama, 7b\",llama,7,1,\n\"say \"\"hi\"\"\",,1,2,3\n\n")
        let models = try CovariateSource.csv(path)
        XCTAssertEqual(models.map(\.name), ["llama, 7b", "say \"hi\""])
        XCTAssertEqual(models[0].family, "llama")
        XCTAssertNil(models[1].family)
        XCTAssertTrue(models[0].flops.isNaN)
        XCTAssertEqual(models[0].effectiveFlops, 42, "FLOPs missing: 6 · params · tokens")
        XCTAssertEqual(models[1].effectiveFlops, 3, "FLOPs given win")
        XCTAssertEqual(models[1].lawFamily, "<say \"hi\">", "no family: a family of its own")
    }

    func testCSVErrorsNameTheFileLineAndColumn() throws {
        let bad = try write("bad.csv", "name,flops\nm1,12\nm2,lots\n")
        XCTAssertThrowsError(try CovariateSource.csv(bad)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("bad.csv") && text.contains("column flops, line 3") && text.contains("'lots'"), text)
        }
        let ragged = try write("ragged.csv", "name,flops\nm1,12,13\n")
        XCTAssertThrowsError(try CovariateSource.csv(ragged)) { error in
            XCTAssertTrue("\(error)".contains("line 2") && "\(error)".contains("expected 2 fields"), "\(error)")
        }
        let noCovariates = try write("none.csv", "name,family\nm1,a\n")
        XCTAssertThrowsError(try CovariateSource.csv(noCovariates)) { error in
            XCTAssertTrue("\(error)".contains("'flops' column"), "\(error)")
        }
    }

    func testTranslogDesignIsStandardisedWithTheProduct() throws {
        let raw = [[9.0, 12.0], [10.0, 12.5], [11.0, 13.0], [10.0, 11.5]]
        let t = try CovariateTransform(set: .paramsTokens, fittedTo: raw)
        XCTAssertEqual(t.center, [10, 12.25])
        let d = t.design([11, 13])
        let u = 1 / t.scale[0], v = 0.75 / t.scale[1]
        XCTAssertEqual(d[0], 1); XCTAssertEqual(d[1], u, accuracy: 1e-12); XCTAssertEqual(d[2], v, accuracy: 1e-12)
        XCTAssertEqual(d[3], u * v, accuracy: 1e-12)
        XCTAssertThrowsError(try CovariateTransform(set: .flops, fittedTo: [[20], [20], [20]]))
    }
}
