import Foundation
import XCTest
import Store

/// Several output files appear together or not at all, and a failure never
/// touches an older output of the same name.
final class OutputSetTests: StoreTestCase {
    struct Boom: Error {}

    func testAllMembersAppearOnlyAtCommit() throws {
        let h5 = path("fit.h5"), csv = path("fit.h5.items.csv")
        try writeOutputs { set in
            try set.hdf5(h5) { try $0.write("/x", doubles: [1, 2, 3]) }
            try set.text(csv, "item\nq1\n")
            XCTAssertFalse(FileManager.default.fileExists(atPath: h5), "nothing appears before the commit")
            XCTAssertFalse(FileManager.default.fileExists(atPath: csv))
            XCTAssertEqual(set.paths, [h5, csv])
        }
        XCTAssertEqual(try listing(), ["fit.h5", "fit.h5.items.csv"])
        XCTAssertEqual(try H5File(h5, mode: .readOnly).readDoubles("/x"), [1, 2, 3])
        XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8), "item\nq1\n")
    }

    func testFailureAfterTheFirstMemberLeavesOldOutputsUntouched() throws {
        let h5 = path("fit.h5"), csv = path("fit.h5.items.csv")
        try writeOutputs { set in
            try set.hdf5(h5) { try $0.write("/version", ints: [1]) }
            try set.text(csv, "old\n")
        }
        XCTAssertThrowsError(try writeOutputs { set in
            try set.hdf5(h5) { try $0.write("/version", ints: [2]) }
            try set.text(csv, "new\n")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try listing(), ["fit.h5", "fit.h5.items.csv"], "no temporary file remains")
        XCTAssertEqual(try H5File(h5, mode: .readOnly).readInts("/version"), [1])
        XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8), "old\n")
    }

    func testFailureWithoutOlderOutputsLeavesNothing() throws {
        XCTAssertThrowsError(try writeOutputs { set in
            try set.hdf5(path("a.h5")) { try $0.write("/x", ints: [1]) }
            try set.text(path("a.csv"), "x\n")
            try set.hdf5(path("b.h5")) { f in
                try f.write("/x", ints: [1])
                try f.write("/x", ints: [2])  // already exists: StoreError
            }
        })
        XCTAssertEqual(try listing(), [])
    }

    /// A rename that fails half-way through the commit puts back the member already renamed.
    func testFailedRenameRollsBackEarlierMembers() throws {
        let first = path("out.csv"), second = path("out.dir")
        try "old\n".write(toFile: first, atomically: false, encoding: .utf8)
        // A non-empty directory at the second path: rename(file, dir) fails.
        try FileManager.default.createDirectory(atPath: second + "/inside", withIntermediateDirectories: true)
        assertStoreError([second, "cannot rename"]) {
            try writeOutputs { set in
                try set.text(first, "new\n")
                try set.text(second, "x\n")
            }
        }
        XCTAssertEqual(try String(contentsOfFile: first, encoding: .utf8), "old\n", "the first member was rolled back")
        XCTAssertEqual(try listing(), ["out.csv", "out.dir"])
    }

    func testPreviousVersionIsKeptWhenAsked() throws {
        let p = path("fit.ckpt")
        try writeOutputs { try $0.data(p, Data("one".utf8), previous: p + ".prev") }
        XCTAssertEqual(try listing(), ["fit.ckpt"])
        try writeOutputs { try $0.data(p, Data("two".utf8), previous: p + ".prev") }
        try writeOutputs { try $0.data(p, Data("three".utf8), previous: p + ".prev") }
        XCTAssertEqual(try String(contentsOfFile: p, encoding: .utf8), "three")
        XCTAssertEqual(try String(contentsOfFile: p + ".prev", encoding: .utf8), "two")
        XCTAssertEqual(try listing(), ["fit.ckpt", "fit.ckpt.prev"])
    }

    func testUpdateModifiesACopy() throws {
        let p = path("data.h5")
        try writeAtomically(p) { try $0.write("/x", ints: [1]) }
        XCTAssertThrowsError(try updateAtomically(p) { f in
            try f.write("/y", ints: [2])
            throw Boom()
        })
        XCTAssertFalse(try H5File(p, mode: .readOnly).exists("/y"), "a failed update leaves the file as it was")
        try updateAtomically(p) { try $0.write("/y", ints: [2]) }
        XCTAssertEqual(try H5File(p, mode: .readOnly).readInts("/y"), [2])
        XCTAssertEqual(try listing(), ["data.h5"])
    }

    func testTemporaryNamesDifferBetweenCalls() throws {
        var seen = Set<String>()
        for i in 0..<5 {
            try writeOutputs { set in
                try set.file(path("f\(i)")) { temporary in
                    XCTAssertTrue(temporary.hasPrefix(path("f\(i)") + ".tmp-\(getpid())-"))
                    seen.insert(String(temporary.dropFirst(path("f\(i)").count)))
                    try Data("x".utf8).write(to: URL(fileURLWithPath: temporary))
                }
            }
        }
        XCTAssertEqual(seen.count, 5, "a random part keeps two writers with one pid (two nodes) apart")
    }
}
