import Foundation
import XCTest
import Store

/// writeAtomically never exposes a half-written file.
final class AtomicWriteTests: StoreTestCase {
    struct Boom: Error {}

    func testSuccessLeavesOnlyTheFinalFile() throws {
        let p = path("out.h5")
        try writeAtomically(p) { f in
            XCTAssertFalse(FileManager.default.fileExists(atPath: p), "final path must not appear before the end")
            XCTAssertTrue(f.path.hasPrefix(p + ".tmp-"))
            try f.write("/x", doubles: [1, 2])
        }
        XCTAssertEqual(try listing(), ["out.h5"])
        XCTAssertEqual(try H5File(p, mode: .readOnly).readDoubles("/x"), [1, 2])
    }

    func testThrowingBodyLeavesNoFile() throws {
        let p = path("out.h5")
        XCTAssertThrowsError(try writeAtomically(p) { f in
            try f.write("/x", doubles: [1, 2])
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try listing(), [])
    }

    func testThrowingBodyKeepsThePreviousFile() throws {
        let p = path("out.h5")
        try writeAtomically(p) { try $0.write("/version", ints: [1]) }
        XCTAssertThrowsError(try writeAtomically(p) { f in
            try f.write("/version", ints: [2])
            try f.write("/version", ints: [3])  // already exists: StoreError
        })
        XCTAssertEqual(try listing(), ["out.h5"])
        XCTAssertEqual(try H5File(p, mode: .readOnly).readInts("/version"), [1])
    }

    func testErrorsNameTheFinalPath() throws {
        let p = path("named.h5")
        assertStoreError(["\(p): /x: already exists"]) {
            try writeAtomically(p) { f in
                try f.write("/x", ints: [1])
                try f.write("/x", ints: [2])
            }
        }
        let unwritable = path("no/such/dir/out.h5")
        assertStoreError([unwritable, "temporary"]) { try writeAtomically(unwritable) { _ in } }
    }

    func testTextFilesAreWrittenAtomically() throws {
        let p = path("t.csv")
        try writeTextAtomically(p, "a,b\n1,2\n")
        try writeTextAtomically(p, "a,b\n3,4\n")
        XCTAssertEqual(try String(contentsOfFile: p, encoding: .utf8), "a,b\n3,4\n")
        XCTAssertEqual(try listing(), ["t.csv"])
        let missingDirectory = path("absent/t.csv")
        assertStoreError([missingDirectory, "temporary"]) { try writeTextAtomically(missingDirectory, "x") }
    }
}
