import Foundation
import Store
import XCTest

/// The Store additions ingest relies on: datasets that grow, and atomic
/// in-place updates that leave the file untouched when they fail.
final class ExtendibleDatasetTests: IngestTestCase {
    func testMatrixGrowsInBothDimensionsWithNaNInNewRegions() throws {
        let out = path("grow.h5")
        try writeAtomically(out) { file in
            try file.createExtendibleMatrix("/responses", rows: 0, cols: 0, chunkRows: 2, chunkCols: 3)
            try file.extend("/responses", to: [2, 3])
            try [Float](arrayLiteral: 1, 2, 3, 4, 5, 6).withUnsafeBufferPointer {
                try file.writeRows("/responses", rowStart: 0, rowCount: 2, floats: $0)
            }
            try file.extend("/responses", to: [3, 5])
            try [Float](arrayLiteral: 7, 8, 9, 10, 11).withUnsafeBufferPointer {
                try file.writeRows("/responses", rowStart: 2, rowCount: 1, floats: $0)
            }
            try file.extend("/responses", to: [1, 1])  // never shrinks
            try file.createExtendible("/items/id", strings: ["a", "b"], chunk: 2)
            try file.append("/items/id", strings: ["c", "é", ""])
            try file.overwrite("/items/id", at: 1, strings: ["B"])
            try file.createExtendible("/models/params", doubles: [1.5], chunk: 2)
            try file.append("/models/params", doubles: [2.5, .nan])
        }
        let file = try H5File(out, mode: .readOnly)
        defer { file.close() }
        XCTAssertEqual(try file.shape("/responses"), [3, 5])
        XCTAssertEqual(try file.maximumShape("/responses"), [nil, nil])
        XCTAssertTrue(try file.isExtendible("/responses"))
        var values = [Float](repeating: 0, count: 15)
        try values.withUnsafeMutableBufferPointer { try file.readRows("/responses", rowStart: 0, rowCount: 3, into: $0) }
        let expected: [Float] = [1, 2, 3, .nan, .nan, 4, 5, 6, .nan, .nan, 7, 8, 9, 10, 11]
        for (v, e) in zip(values, expected) { XCTAssertTrue(v == e || (v.isNaN && e.isNaN), "\(values)") }
        XCTAssertEqual(try file.readStrings("/items/id"), ["a", "B", "c", "é", ""])
        let params = try file.readDoubles("/models/params")
        XCTAssertEqual(Array(params.prefix(2)), [1.5, 2.5])
        XCTAssertTrue(params[2].isNaN)
    }

    func testFixedSizeDatasetsSayTheyMustBeRewritten() throws {
        let out = path("fixed.h5")
        try writeAtomically(out) { file in
            try file.createMatrix("/responses", type: .float32, rows: 2, cols: 2, chunkRows: 1)
            try file.write("/items/id", strings: ["a", "b"])
        }
        try updateAtomically(out) { file in
            XCTAssertFalse(try file.isExtendible("/responses"))
            XCTAssertEqual(try file.maximumShape("/responses"), [2, 2])
            assertThrows(["fixed.h5", "/responses", "fixed-size", "rewritten"]) { try file.extend("/responses", to: [3, 2]) }
            assertThrows(["fixed-size"]) { try file.append("/items/id", strings: ["c"]) }
            assertThrows(["outside"]) { try file.overwrite("/items/id", at: 2, strings: ["c"]) }
        }
    }

    func testFailedUpdateLeavesTheFileAsItWas() throws {
        let out = path("keep.h5")
        try writeAtomically(out) { file in
            try file.createExtendible("/models/name", strings: ["m1"])
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        struct Boom: Error {}
        XCTAssertThrowsError(try updateAtomically(out) { file in
            try file.append("/models/name", strings: ["m2"])
            throw Boom()
        })
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["keep.h5"])
        try updateAtomically(out) { file in try file.append("/models/name", strings: ["m2"]) }
        let file = try H5File(out, mode: .readOnly)
        XCTAssertEqual(try file.readStrings("/models/name"), ["m1", "m2"])
        file.close()
    }
}
