import Foundation
import XCTest
import Store

/// The input response file: metadata writing, validation, truth.
final class ResponseFileTests: StoreTestCase {
    func sampleInfo(path: String, kind: ResponseKind = .proportion) -> ResponseFileInfo {
        ResponseFileInfo(
            path: path, models: 3, items: 4, kind: kind, hasTrials: kind == .proportion,
            modelNames: ["llama-7b", "llama-13b", "modèle, «quoted»"],
            families: ["llama", "llama", "other"],
            params: [7e9, 1.3e10, .nan], tokens: [1e12, 1e12, .nan], flops: nil,
            itemIDs: ["mmlu/1", "mmlu/2", "gsm8k/1", "arc/1"],
            benchmarks: ["mmlu", "mmlu", "gsm8k", "arc"],
            floor: [0.25, 0.25, 0, 0.25])
    }

    /// Writes a complete valid response file with `sampleInfo`.
    func writeSample(_ p: String, kind: ResponseKind = .proportion,
                     tamper: (H5File) throws -> Void = { _ in }) throws {
        let info = sampleInfo(path: p, kind: kind)
        try writeAtomically(p) { f in
            try writeResponseMetadata(f, info: info)
            try createResponseMatrices(f, info: info, chunkRows: 2)
            let responses: [Float] = [0, 0.5, 1, .nan, 0.25, 0.75, 1, 0, 1, 1, 0.5, 0.5]
            try responses.withUnsafeBufferPointer {
                try f.writeRows(ResponseLayout.responses, rowStart: 0, rowCount: 3, floats: $0)
            }
            if info.hasTrials {
                let trials = [Int32](repeating: 4, count: 12)
                try trials.withUnsafeBufferPointer {
                    try f.writeRows(ResponseLayout.trials, rowStart: 0, rowCount: 3, ints: $0)
                }
            }
            try tamper(f)
        }
    }

    func testValidFileReadsBack() throws {
        let p = path("data.h5")
        try writeSample(p)
        let info = try ResponseFileInfo.read(p)
        let expected = sampleInfo(path: p)
        XCTAssertEqual(info.path, p)
        XCTAssertEqual(info.models, 3)
        XCTAssertEqual(info.items, 4)
        XCTAssertEqual(info.kind, .proportion)
        XCTAssertTrue(info.hasTrials)
        XCTAssertEqual(info.modelNames, expected.modelNames)
        XCTAssertEqual(info.families, expected.families)
        XCTAssertTrue(sameValues(info.params ?? [], expected.params!))
        XCTAssertTrue(sameValues(info.tokens ?? [], expected.tokens!))
        XCTAssertNil(info.flops)
        XCTAssertEqual(info.itemIDs, expected.itemIDs)
        XCTAssertEqual(info.benchmarks, expected.benchmarks)
        XCTAssertEqual(info.floor, expected.floor)
        XCTAssertEqual(info.benchmarkNames, ["mmlu", "gsm8k", "arc"])

        // And the matrix is there, chunked by rows, readable by a rank.
        let f = try H5File(p, mode: .readOnly)
        var row = [Float](repeating: 0, count: 4)
        try row.withUnsafeMutableBufferPointer { try f.readRows("/responses", rowStart: 1, rowCount: 1, into: $0) }
        XCTAssertEqual(row, [0.25, 0.75, 1, 0])
    }

    func testMinimalBinaryFileWithoutOptionalFields() throws {
        let p = path("min.h5")
        let info = ResponseFileInfo(path: p, models: 2, items: 1, kind: .binary, hasTrials: false,
                                    modelNames: ["a", "b"], itemIDs: ["q"], benchmarks: ["bench"])
        try writeAtomically(p) { f in
            try writeResponseMetadata(f, info: info)
            try createResponseMatrices(f, info: info)
        }
        let read = try ResponseFileInfo.read(p)
        XCTAssertEqual(read.kind, .binary)
        XCTAssertFalse(read.hasTrials)
        XCTAssertNil(read.families)
        XCTAssertNil(read.params)
        XCTAssertNil(read.floor)
        XCTAssertFalse(try H5File(p, mode: .readOnly).exists("/trials"))
    }

    func testMissingResponses() throws {
        let p = path("noresp.h5")
        try writeAtomically(p) { f in
            try writeResponseMetadata(f, info: sampleInfo(path: p, kind: .binary))
        }
        assertStoreError([p, "/responses", "missing", "2-D float32"]) { try ResponseFileInfo.read(p) }
    }

    func testResponsesOfWrongRank() throws {
        let p = path("rank1.h5")
        try writeAtomically(p) { f in
            try f.write("/responses", floats: [0, 1, 0], shape: [3])
        }
        assertStoreError(["\(p): /responses: expected a 2-D float32 dataset, found rank 1"]) {
            try ResponseFileInfo.read(p)
        }
    }

    func testNamesCountMismatch() throws {
        let p = path("names.h5")
        let info = sampleInfo(path: p, kind: .binary)
        try writeAtomically(p) { f in
            try f.write("/models/name", strings: ["only", "two"])
            try f.write("/items/id", strings: info.itemIDs)
            try f.write("/items/benchmark", strings: info.benchmarks)
            try f.setAttribute("response_kind", "binary")
            try createResponseMatrices(f, info: info)
        }
        assertStoreError([p, "/models/name", "expected 3 strings", "found 2"]) { try ResponseFileInfo.read(p) }
    }

    func testItemArraysCountMismatch() throws {
        let p = path("items.h5")
        let info = sampleInfo(path: p, kind: .binary)
        try writeAtomically(p) { f in
            try f.write("/models/name", strings: info.modelNames)
            try f.write("/items/id", strings: info.itemIDs)
            try f.write("/items/benchmark", strings: ["one"])
            try f.setAttribute("response_kind", "binary")
            try createResponseMatrices(f, info: info)
        }
        assertStoreError([p, "/items/benchmark", "expected 4 strings", "found 1"]) { try ResponseFileInfo.read(p) }
    }

    func testBadResponseKind() throws {
        let p = path("kind.h5")
        try writeSample(p, kind: .binary) { f in try f.setAttribute("response_kind", "continuous") }
        assertStoreError([p, "response_kind", "binary, probability, proportion", "\"continuous\""]) {
            try ResponseFileInfo.read(p)
        }
    }

    func testProportionRequiresTrials() throws {
        let p = path("prop.h5")
        try writeSample(p, kind: .binary) { f in try f.setAttribute("response_kind", "proportion") }
        assertStoreError([p, "/trials", "proportion"]) { try ResponseFileInfo.read(p) }
    }

    func testTrialsShapeMismatch() throws {
        let p = path("trials.h5")
        try writeSample(p, kind: .binary) { f in
            try f.createMatrix("/trials", type: .int32, rows: 3, cols: 5, chunkRows: 2)
        }
        assertStoreError([p, "/trials", "[3, 4]", "[3, 5]"]) { try ResponseFileInfo.read(p) }
    }

    func testFloorOutOfRange() throws {
        let p = path("floor.h5")
        var info = sampleInfo(path: p, kind: .binary)
        info.floor = [0.25, 1.0, 0, 0]
        try writeAtomically(p) { f in
            try writeResponseMetadata(f, info: info)
            try createResponseMatrices(f, info: info)
        }
        assertStoreError([p, "/items/floor", "[0, 1)", "item 1"]) { try ResponseFileInfo.read(p) }
    }

    func testWriteMetadataValidatesCounts() throws {
        let p = path("meta.h5")
        var info = sampleInfo(path: p)
        info.params = [1, 2]
        assertStoreError([p, "/models/params", "expected 3", "found 2"]) {
            try writeAtomically(p) { f in try writeResponseMetadata(f, info: info) }
        }
        XCTAssertEqual(try listing(), [])
    }

    func testTruthRoundTripAndAbsence() throws {
        let p = path("truth.h5")
        let truth = Truth(theta: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6], a: [1, 0.5, 2, 0], d: [0.1, -1],
                          g: [0.25, 0], phi: [10, 20, 30], dims: 2)
        try writeSample(p) { f in
            XCTAssertNil(try Truth.read(f))
            try truth.write(f)
        }
        let f = try H5File(p, mode: .readOnly)
        let read = try XCTUnwrap(Truth.read(f))
        XCTAssertEqual(read.theta, truth.theta)
        XCTAssertEqual(read.a, truth.a)
        XCTAssertEqual(read.d, truth.d)
        XCTAssertEqual(read.g, truth.g)
        XCTAssertEqual(read.phi, truth.phi)
        XCTAssertEqual(read.dims, 2)
        XCTAssertEqual(try f.shape("/truth/theta"), [3, 2])
        XCTAssertEqual(try f.shape("/truth/a"), [2, 2])
        // The truth does not disturb the response metadata.
        XCTAssertEqual(try ResponseFileInfo.read(p).models, 3)
    }

    func testTruthValidation() throws {
        let f = try H5File(path("badtruth.h5"), mode: .truncate)
        let bad = Truth(theta: [1, 2, 3], a: [1, 2], d: [0], g: [0], phi: [], dims: 2)
        assertStoreError(["/truth/theta", "whole number"]) { try bad.write(f) }
        try f.write("/truth/theta", doubles: [1, 2], shape: [1, 2])
        try f.write("/truth/a", doubles: [1, 2, 3], shape: [3, 1])
        assertStoreError(["/truth/a", "expected 2 columns"]) { try Truth.read(f) }
    }
}
