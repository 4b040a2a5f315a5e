import CHDF5
import Foundation
import XCTest
import Store

/// Scalar attributes on the root and on datasets.
final class AttributeTests: StoreTestCase {
    func testAttributesRoundTrip() throws {
        let p = path("a.h5")
        do {
            let f = try H5File(p, mode: .truncate)
            try f.write("/items/a", doubles: [1, 2])
            try f.setAttribute("response_kind", "probability")
            try f.setAttribute("command", "irsl fit --in \"data.h5\" — ünïcode ✓")
            try f.setAttribute("empty", "")
            try f.setAttribute("loglik", -12345.678901234567)
            try f.setAttribute("nan", Double.nan)
            try f.setAttribute("iterations", 42)
            try f.setAttribute("big", Int(Int64.max))
            try f.setAttribute("units", "logits", on: "/items/a")
            try f.setAttribute("scale", 1.5, on: "/items")
            // Setting again replaces (and may change the type).
            try f.setAttribute("iterations", 43)
            try f.setAttribute("loglik", "replaced by a string")
            f.close()
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.stringAttribute("response_kind"), "probability")
        XCTAssertEqual(try f.stringAttribute("command"), "irsl fit --in \"data.h5\" — ünïcode ✓")
        XCTAssertEqual(try f.stringAttribute("empty"), "")
        XCTAssertEqual(try f.stringAttribute("loglik"), "replaced by a string")
        XCTAssertEqual(try f.doubleAttribute("nan").map(\.isNaN), true)
        XCTAssertEqual(try f.doubleAttribute("iterations"), 43)  // int converts to double
        XCTAssertEqual(try f.intAttribute("iterations"), 43)
        XCTAssertEqual(try f.intAttribute("big"), Int(Int64.max))
        XCTAssertEqual(try f.stringAttribute("units", on: "/items/a"), "logits")
        XCTAssertEqual(try f.doubleAttribute("scale", on: "items"), 1.5)
        // Absent attributes are nil; attributes live on their own object only.
        XCTAssertNil(try f.stringAttribute("absent"))
        XCTAssertNil(try f.doubleAttribute("absent"))
        XCTAssertNil(try f.stringAttribute("units"))
    }

    func testAttributeErrors() throws {
        let p = path("ae.h5")
        let f = try H5File(p, mode: .truncate)
        try f.setAttribute("n", 3)
        try f.setAttribute("s", "text")
        assertStoreError([p, "@n", "expected strings", "int64"]) { try f.stringAttribute("n") }
        assertStoreError([p, "@s", "expected a number", "string"]) { try f.doubleAttribute("s") }
        assertStoreError([p, "/nowhere", "no such group or dataset"]) { try f.stringAttribute("x", on: "/nowhere") }
        assertStoreError([p, "/nowhere"]) { try f.setAttribute("x", 1.0, on: "/nowhere") }
    }

    /// h5py writes NumPy bytes attributes as fixed-length strings.
    func testFixedLengthStringAttributeIsRead() throws {
        let p = path("fa.h5")
        try withRawHDF5File(p) { id in
            let type = H5Tcopy(irsl_h5t_c_s1())
            defer { H5Tclose(type) }
            H5Tset_size(type, 16)
            H5Tset_strpad(type, H5T_STR_NULLPAD)
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let attribute = H5Acreate2(id, "response_kind", type, space, irsl_h5p_default(), irsl_h5p_default())
            XCTAssertGreaterThanOrEqual(attribute, 0)
            defer { H5Aclose(attribute) }
            var bytes = [UInt8](repeating: 0, count: 16)
            bytes.replaceSubrange(0..<6, with: Array("binary".utf8))
            XCTAssertGreaterThanOrEqual(H5Awrite(attribute, type, bytes), 0)
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.stringAttribute("response_kind"), "binary")
    }
}
