import Foundation
import Store
import XCTest

final class SplitFileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("irsl-split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func read(_ text: String) throws -> [SplitFold] {
        let path = directory.appendingPathComponent("split.csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try SplitFile.read(path, modelNames: ["a", "b", "c", "d"])
    }

    func assertError(_ text: String, _ fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try read(text), line: line) { error in
            for f in fragments { XCTAssertTrue("\(error)".contains(f), "\(error) lacks \(f)", line: line) }
        }
    }

    func testFoldsAndRoles() throws {
        let folds = try read("model,role,fold\na,train,x\nb,test,x\nc,train,y\nd,TEST,y\na,train,y\n")
        XCTAssertEqual(folds.map(\.name), ["x", "y"])
        XCTAssertEqual(folds[0].train, [0]); XCTAssertEqual(folds[0].test, [1])
        XCTAssertEqual(folds[1].train, [2, 0]); XCTAssertEqual(folds[1].test, [3])
        let single = try read("model,role\na,train\nb,test\n")
        XCTAssertEqual(single.count, 1)
        XCTAssertEqual(single[0].name, "")
    }

    func testErrorsNameTheFileColumnAndLine() {
        assertError("model,role\na,train\nzz,test\n", ["split.csv", "column model, line 3", "'zz'"])
        assertError("model,role\na,train\nb,holdout\n", ["column role, line 3", "expected train or test"])
        assertError("model,role\na,train\na,test\n", ["'a' is both train and test"])
        assertError("model,role\na,train\na,train\nb,test\n", ["'a' is listed twice"])
        assertError("model,role\na,train\nb,train\n", ["needs train and test models"])
        assertError("name,part\na,train\n", ["column role", "missing"])
    }
}
