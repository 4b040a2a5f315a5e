import CHDF5
import Foundation
import XCTest
import Store

/// A fresh directory under the system temporary directory, removed by `tearDown`.
class StoreTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("irsl-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A path inside the test directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Files currently in the test directory.
    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    /// Asserts that `body` throws a StoreError whose text contains every fragment.
    func assertStoreError<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> T) {
        do {
            _ = try body()
            XCTFail("expected a StoreError containing \(fragments)", file: file, line: line)
        } catch let error as StoreError {
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment),
                              "\"\(error.description)\" does not contain \"\(fragment)\"", file: file, line: line)
            }
        } catch {
            XCTFail("expected a StoreError, got \(error)", file: file, line: line)
        }
    }
}

/// Element-wise equality that treats NaN as equal to NaN.
func sameValues(_ x: [Double], _ y: [Double]) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

func sameValues(_ x: [Float], _ y: [Float]) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

/// Creates an HDF5 file with raw library calls (as h5py would), for content
/// Store never writes itself, such as fixed-length strings. Tests run in
/// release mode, so they see only Store's public API and go to HDF5 directly.
func withRawHDF5File(_ path: String, _ body: (hid_t) throws -> Void) throws {
    let file = H5Fcreate(path, irsl_h5f_acc_trunc(), irsl_h5p_default(), irsl_h5p_default())
    XCTAssertGreaterThanOrEqual(file, 0, "H5Fcreate \(path)")
    defer { H5Fclose(file) }
    try body(file)
}
