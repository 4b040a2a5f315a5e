import CHDF5
import Foundation
import XCTest
import Store

/// Whole-dataset round trips, navigation and file-level errors.
final class DatasetTests: StoreTestCase {
    func testDoublesRoundTripWithShapeAndSpecialValues() throws {
        let p = path("d.h5")
        let values: [Double] = [0.1, -2.5e-300, .nan, .infinity, -.infinity, 1e308, 0, -0.0]
        do {
            let f = try H5File(p, mode: .truncate)
            try f.write("/a/b/c", doubles: values)
            try f.write("grid", doubles: Array(values.prefix(6)), shape: [2, 3])
            try f.write("/empty", doubles: [])
            f.close()
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertTrue(sameValues(try f.readDoubles("/a/b/c"), values))
        XCTAssertEqual(try f.shape("/a/b/c"), [8])
        XCTAssertEqual(try f.shape("/grid"), [2, 3])
        XCTAssertTrue(sameValues(try f.readDoubles("/grid"), Array(values.prefix(6))))
        XCTAssertEqual(try f.readDoubles("/empty"), [])
        XCTAssertEqual(try f.shape("/empty"), [0])
    }

    func testIntsRoundTripAndNumericConversion() throws {
        let p = path("i.h5")
        let ints: [Int32] = [0, 1, -1, .max, .min, 42]
        do {
            let f = try H5File(p, mode: .truncate)
            try f.write("/ints", ints: ints, shape: [3, 2])
            try f.write("/floats", doubles: [1.9, -2.9, 3.0])
            f.close()
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.readInts("/ints"), ints)
        XCTAssertEqual(try f.shape("/ints"), [3, 2])
        // readDoubles converts from a stored integer type.
        XCTAssertEqual(try f.readDoubles("/ints"), ints.map(Double.init))
        // readInts converts floats by truncation toward zero.
        XCTAssertEqual(try f.readInts("/floats"), [1, -2, 3])
    }

    func testStringsRoundTripIncludingUnicodeAndEmpty() throws {
        let p = path("s.h5")
        let strings = ["plain", "", "héllo wörld", "日本語のモデル", "emoji 🎉", "comma, \"quoted\"", " padded "]
        do {
            let f = try H5File(p, mode: .truncate)
            try f.write("/models/name", strings: strings)
            try f.write("/none", strings: [])
            f.close()
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.readStrings("/models/name"), strings)
        XCTAssertEqual(try f.readStrings("/none"), [])
        XCTAssertEqual(try f.shape("/models/name"), [strings.count])
    }

    func testStringsWithNULAreRejected() throws {
        let f = try H5File(path("nul.h5"), mode: .truncate)
        assertStoreError(["/names", "NUL"]) { try f.write("/names", strings: ["ok", "bad\u{0}"]) }
    }

    /// h5py writes NumPy `S` arrays as fixed-length strings; they must read too.
    func testFixedLengthStringsAreRead() throws {
        let p = path("fixed.h5")
        try withRawHDF5File(p) { id in
            try writeFixedStrings(id, "/nullpad", width: 8, pad: H5T_STR_NULLPAD, ["abc", "", "12345678", "é"])
            try writeFixedStrings(id, "/nullterm", width: 6, pad: H5T_STR_NULLTERM, ["x", "hello"])
            try writeFixedStrings(id, "/spacepad", width: 5, pad: H5T_STR_SPACEPAD, ["ab   ", "abcde"])
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.readStrings("/nullpad"), ["abc", "", "12345678", "é"])
        XCTAssertEqual(try f.readStrings("/nullterm"), ["x", "hello"])
        XCTAssertEqual(try f.readStrings("/spacepad"), ["ab", "abcde"])
    }

    func testExistsWalksEveryComponent() throws {
        let f = try H5File(path("e.h5"), mode: .truncate)
        try f.write("/models/name", strings: ["m"])
        XCTAssertTrue(f.exists("/"))
        XCTAssertTrue(f.exists("/models"))
        XCTAssertTrue(f.exists("/models/name"))
        XCTAssertTrue(f.exists("models/name"))
        XCTAssertFalse(f.exists("/models/family"))
        XCTAssertFalse(f.exists("/nothing/here/at/all"))
        XCTAssertFalse(f.exists("/models/name/child"))  // parent is a dataset
    }

    func testWriteErrorsNameFileAndField() throws {
        let p = path("w.h5")
        let f = try H5File(p, mode: .truncate)
        try f.write("/x", doubles: [1, 2, 3])
        assertStoreError([p, "/x", "already exists"]) { try f.write("/x", doubles: [1]) }
        assertStoreError([p, "/y", "shape [2, 2]", "3"]) { try f.write("/y", doubles: [1, 2, 3], shape: [2, 2]) }
        assertStoreError([p, "/missing", "no such dataset"]) { try f.readDoubles("/missing") }
        assertStoreError([p, "/missing", "no such dataset"]) { try f.shape("/missing") }
        try f.write("/names", strings: ["a"])
        assertStoreError([p, "/names", "expected a numeric dataset", "string"]) { try f.readDoubles("/names") }
        assertStoreError([p, "/x", "expected strings", "float64"]) { try f.readStrings("/x") }
    }

    func testOpeningMissingOrForeignFilesFails() throws {
        let missing = path("absent.h5")
        assertStoreError([missing, "no such file"]) { try H5File(missing, mode: .readOnly) }
        assertStoreError([missing, "no such file"]) { try H5File(missing, mode: .readWrite) }
        let text = path("not.h5")
        try "model,score\n".write(toFile: text, atomically: true, encoding: .utf8)
        assertStoreError([text, "not an HDF5 file"]) { try H5File(text, mode: .readOnly) }
        assertStoreError([directory.path, "directory"]) { try H5File(directory.path, mode: .readOnly) }
    }

    func testCloseIsIdempotentAndLaterUseFails() throws {
        let p = path("c.h5")
        let f = try H5File(p, mode: .truncate)
        try f.write("/x", ints: [1])
        f.close()
        f.close()
        XCTAssertFalse(f.exists("/x"))
        assertStoreError([p, "closed"]) { try f.readInts("/x") }
        // The data reached the file.
        XCTAssertEqual(try H5File(p, mode: .readOnly).readInts("/x"), [1])
    }

    func testReadWriteModeAppendsToExistingFile() throws {
        let p = path("rw.h5")
        do {
            let f = try H5File(p, mode: .truncate)
            try f.write("/first", ints: [1])
        }
        do {
            let f = try H5File(p, mode: .readWrite)
            try f.write("/second", ints: [2])
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.readInts("/first"), [1])
        XCTAssertEqual(try f.readInts("/second"), [2])
        assertStoreError([p, "/third"]) { try f.write("/third", ints: [3]) }  // read-only
    }
}

/// Writes a fixed-length string dataset with raw HDF5 calls, as h5py would.
func writeFixedStrings(_ file: hid_t, _ name: String, width: Int, pad: H5T_str_t, _ strings: [String]) throws {
    let type = H5Tcopy(irsl_h5t_c_s1())
    defer { H5Tclose(type) }
    H5Tset_size(type, width)
    H5Tset_strpad(type, pad)
    var dims: [hsize_t] = [hsize_t(strings.count)]
    let space = H5Screate_simple(1, &dims, nil)
    defer { H5Sclose(space) }
    let ds = H5Dcreate2(file, name, type, space, irsl_h5p_default(), irsl_h5p_default(), irsl_h5p_default())
    XCTAssertGreaterThanOrEqual(ds, 0)
    defer { H5Dclose(ds) }
    var bytes = [UInt8](repeating: 0, count: width * strings.count)
    for (i, s) in strings.enumerated() {
        let utf8 = Array(s.utf8)
        precondition(utf8.count <= width)
        bytes.replaceSubrange((i * width)..<(i * width + utf8.count), with: utf8)
    }
    XCTAssertGreaterThanOrEqual(H5Dwrite(ds, type, irsl_h5s_all(), irsl_h5s_all(), irsl_h5p_default(), bytes), 0)
}
