import Calibration
import Foundation
import XCTest

final class CheckpointFormatTests: XCTestCase {
    func sample(iteration: Int) -> Checkpoint {
        var options = FitOptions()
        options.dims = 2
        let header = Checkpoint.Header(
            iteration: iteration, reason: "periodic", ranks: 3, options: options,
            fingerprint: InputFingerprint(models: 3, items: 2, kind: "probability", idsHash: "ab", sampledRowsHash: "cd", sampledRows: [0, 1, 2]),
            models: 3, items: 2, dims: 2, benchmarks: 1, irslVersion: "test", written: "now")
        return Checkpoint(header: header, theta: [0.1, -0.2, 0.3, 0.4, -1.5, 2.5], a: [1, 0, 0.5, 0.7], d: [-0.3, 0.2], g: [0, 0.25],
                          phi: [12.5], history: (0..<iteration).map { -100 + Double($0) })
    }

    func testRoundTripAndPreviousKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckfmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fit.ckpt").path
        try sample(iteration: 4).write(to: path)
        try sample(iteration: 5).write(to: path)
        XCTAssertEqual(try Checkpoint.read(path), sample(iteration: 5))
        XCTAssertEqual(try Checkpoint.read(path + ".prev"), sample(iteration: 4))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    /// Every single flipped byte anywhere in the file is detected.
    func testEveryFlippedByteIsDetected() throws {
        let data = try sample(iteration: 3).encoded()
        for i in stride(from: 0, to: data.count, by: 7) {
            var broken = data
            broken[i] ^= 0x01
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("flip-\(UUID().uuidString)")
            try broken.write(to: url)
            XCTAssertThrowsError(try Checkpoint.read(url.path), "byte \(i)")
            try? FileManager.default.removeItem(at: url)
        }
    }

    func testFallbackNamesWhatHappened() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckfb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fit.ckpt").path
        try sample(iteration: 4).write(to: path)
        try sample(iteration: 5).write(to: path)
        try Data(try sample(iteration: 5).encoded().prefix(40)).write(to: URL(fileURLWithPath: path))
        var notes: [String] = []
        let restored = try Checkpoint.readNewestValid(path) { notes.append($0) }
        XCTAssertEqual(restored.header.iteration, 4)
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].contains("corrupt") && notes[0].contains(".prev"), notes[0])
    }

    func testIncompatibleOptionsAreNamed() {
        var a = FitOptions(), b = FitOptions()
        XCTAssertNil(a.incompatibility(with: b))
        b.tolerance = 1e-3; b.maxIterations = 7
        XCTAssertNil(a.incompatibility(with: b), "stopping rules may change on resume")
        a.itemRidge = 0.5
        XCTAssertEqual(a.incompatibility(with: b), "option item-ridge: checkpoint has 0.01, this run has 0.5")
    }
}
