import CHDF5
import Foundation
import XCTest
import Store

/// Row-block matrix I/O: chunking, partial chunks, NaN fill, conversions, validation.
final class MatrixTests: StoreTestCase {
    let rows = 10, cols = 7

    func value(_ r: Int, _ c: Int) -> Float { Float(r * 100 + c) + 0.25 }

    func rowsBlock(_ start: Int, _ count: Int) -> [Float] {
        (start..<(start + count)).flatMap { r in (0..<cols).map { c in value(r, c) } }
    }

    func testFloatMatrixByRowBlocksWithPartialLastChunkAndNaNFill() throws {
        let p = path("m.h5")
        do {
            let f = try H5File(p, mode: .truncate)
            // 10 rows in chunks of 4: chunks [0,4) [4,8) [8,10) – the last one partial.
            try f.createMatrix("/responses", type: .float32, rows: rows, cols: cols, chunkRows: 4)
            // Blocks that straddle chunk boundaries; row 9 is never written.
            for (start, count) in [(0, 3), (3, 4), (7, 2)] {
                let block = rowsBlock(start, count)
                try block.withUnsafeBufferPointer {
                    try f.writeRows("/responses", rowStart: start, rowCount: count, floats: $0)
                }
            }
            f.close()
        }
        let f = try H5File(p, mode: .readOnly)
        XCTAssertEqual(try f.shape("/responses"), [rows, cols])
        XCTAssertEqual(chunkShape(p, "/responses"), [4, 7])

        // Reads across chunk boundaries, in pieces that reuse the open dataset.
        for (start, count) in [(2, 5), (0, 1), (3, 6), (5, 3), (0, 9)] {
            var buffer = [Float](repeating: -1, count: count * cols)
            try buffer.withUnsafeMutableBufferPointer {
                try f.readRows("/responses", rowStart: start, rowCount: count, into: $0)
            }
            XCTAssertEqual(buffer, rowsBlock(start, count), "rows \(start)..<\(start + count)")
        }
        // The unwritten row reads as NaN (= missing).
        var last = [Float](repeating: 0, count: cols)
        try last.withUnsafeMutableBufferPointer { try f.readRows("/responses", rowStart: 9, rowCount: 1, into: $0) }
        XCTAssertTrue(last.allSatisfy(\.isNaN))
        // Whole-matrix read through readDoubles agrees.
        let all = try f.readDoubles("/responses")
        XCTAssertEqual(all.count, rows * cols)
        XCTAssertEqual(Array(all.prefix(9 * cols)), rowsBlock(0, 9).map(Double.init))
        XCTAssertTrue(all.suffix(cols).allSatisfy(\.isNaN))
        // Zero rows is a no-op.
        var nothing = [Float]()
        try nothing.withUnsafeMutableBufferPointer {
            try f.readRows("/responses", rowStart: 10, rowCount: 0, into: $0)
        }
    }

    func testChunkRowsLargerThanMatrixIsClamped() throws {
        let p = path("small.h5")
        let f = try H5File(p, mode: .truncate)
        try f.createMatrix("/m", type: .float32, rows: 3, cols: 2, chunkRows: 1000)
        XCTAssertEqual(chunkShape(p, "/m"), [3, 2])
        var out = [Float](repeating: 0, count: 6)
        try out.withUnsafeMutableBufferPointer { try f.readRows("/m", rowStart: 0, rowCount: 3, into: $0) }
        XCTAssertTrue(out.allSatisfy(\.isNaN))
    }

    func testInt32MatrixRoundTripWithZeroFill() throws {
        let p = path("t.h5")
        let f = try H5File(p, mode: .truncate)
        try f.createMatrix("/trials", type: .int32, rows: 5, cols: 3, chunkRows: 2)
        let block: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        try block.withUnsafeBufferPointer { try f.writeRows("/trials", rowStart: 1, rowCount: 3, ints: $0) }
        f.close()

        let g = try H5File(p, mode: .readOnly)
        var all = [Int32](repeating: -1, count: 15)
        try all.withUnsafeMutableBufferPointer { try g.readRows("/trials", rowStart: 0, rowCount: 5, into: $0) }
        XCTAssertEqual(all, [0, 0, 0] + block + [0, 0, 0])
        XCTAssertEqual(try g.readInts("/trials"), all)
        // An int matrix also reads as floats.
        var floats = [Float](repeating: 0, count: 6)
        try floats.withUnsafeMutableBufferPointer { try g.readRows("/trials", rowStart: 2, rowCount: 2, into: $0) }
        XCTAssertEqual(floats, [4, 5, 6, 7, 8, 9])
    }

    func testFloat64MatrixReadsAsFloatRows() throws {
        let f = try H5File(path("f64.h5"), mode: .truncate)
        let values: [Double] = [0, 0.5, 1, .nan, 0.25, 0.75]
        try f.write("/responses", doubles: values, shape: [3, 2])
        var out = [Float](repeating: 0, count: 4)
        try out.withUnsafeMutableBufferPointer { try f.readRows("/responses", rowStart: 1, rowCount: 2, into: $0) }
        XCTAssertTrue(sameValues(out, [1, .nan, 0.25, 0.75]))
    }

    func testContiguousFloatMatrixWrite() throws {
        let f = try H5File(path("flat.h5"), mode: .truncate)
        let values: [Float] = [0.125, 1, .nan, 3, 4, 5]
        try f.write("/grid", floats: values, shape: [2, 3])
        XCTAssertEqual(try f.shape("/grid"), [2, 3])
        var out = [Float](repeating: 0, count: 3)
        try out.withUnsafeMutableBufferPointer { try f.readRows("/grid", rowStart: 1, rowCount: 1, into: $0) }
        XCTAssertEqual(out, [3, 4, 5])
        XCTAssertTrue(sameValues(try f.readDoubles("/grid").map(Float.init), values))
        assertStoreError(["/bad", "shape [4]"]) { try f.write("/bad", floats: values, shape: [4]) }
    }

    func testRowRangeAndBufferValidation() throws {
        let p = path("v.h5")
        let f = try H5File(p, mode: .truncate)
        try f.createMatrix("/responses", type: .float32, rows: 4, cols: 3, chunkRows: 2)
        var buffer = [Float](repeating: 0, count: 6)
        assertStoreError([p, "/responses", "outside", "4 rows"]) {
            try buffer.withUnsafeMutableBufferPointer { try f.readRows("/responses", rowStart: 3, rowCount: 2, into: $0) }
        }
        assertStoreError([p, "/responses", "outside"]) {
            try buffer.withUnsafeMutableBufferPointer { try f.readRows("/responses", rowStart: -1, rowCount: 2, into: $0) }
        }
        assertStoreError([p, "/responses", "buffer holds 6 values", "9"]) {
            try buffer.withUnsafeMutableBufferPointer { try f.readRows("/responses", rowStart: 0, rowCount: 3, into: $0) }
        }
        assertStoreError([p, "/responses", "buffer holds 6 values"]) {
            try buffer.withUnsafeBufferPointer { try f.writeRows("/responses", rowStart: 0, rowCount: 1, floats: $0) }
        }
        // Writing ints into a float matrix is refused rather than converted.
        let ints: [Int32] = [1, 2, 3]
        assertStoreError([p, "/responses", "integer", "float32"]) {
            try ints.withUnsafeBufferPointer { try f.writeRows("/responses", rowStart: 0, rowCount: 1, ints: $0) }
        }
        try f.write("/vector", doubles: [1, 2, 3])
        assertStoreError([p, "/vector", "2-D", "rank 1"]) {
            try buffer.withUnsafeMutableBufferPointer { try f.readRows("/vector", rowStart: 0, rowCount: 2, into: $0) }
        }
        assertStoreError([p, "/nothing", "no such dataset"]) {
            try buffer.withUnsafeMutableBufferPointer { try f.readRows("/nothing", rowStart: 0, rowCount: 2, into: $0) }
        }
        assertStoreError([p, "/responses", "already exists"]) {
            try f.createMatrix("/responses", type: .float32, rows: 1, cols: 1, chunkRows: 1)
        }
        assertStoreError([p, "/z", "chunkRows"]) {
            try f.createMatrix("/z", type: .float32, rows: 1, cols: 1, chunkRows: 0)
        }
    }

    func testEmptyMatrixCanBeCreated() throws {
        let f = try H5File(path("empty.h5"), mode: .truncate)
        try f.createMatrix("/responses", type: .float32, rows: 0, cols: 5, chunkRows: 8)
        XCTAssertEqual(try f.shape("/responses"), [0, 5])
        XCTAssertEqual(try f.readDoubles("/responses"), [])
    }

    /// A larger matrix written and read in uneven rank-like blocks.
    func testLargerMatrixInRankBlocks() throws {
        let p = path("big.h5")
        let m = 997, n = 311
        let full = (0..<(m * n)).map { Float($0 % 1009) / 1009 }
        do {
            let f = try H5File(p, mode: .truncate)
            try f.createMatrix("/responses", type: .float32, rows: m, cols: n, chunkRows: 64)
            var start = 0
            for count in [100, 333, 1, 63, 500] {
                try full.withUnsafeBufferPointer { all in
                    let slice = UnsafeBufferPointer(rebasing: all[(start * n)..<((start + count) * n)])
                    try f.writeRows("/responses", rowStart: start, rowCount: count, floats: slice)
                }
                start += count
            }
            XCTAssertEqual(start, m)
        }
        let f = try H5File(p, mode: .readOnly)
        let ranks = 7
        var gathered = [Float]()
        for r in 0..<ranks {
            let lo = r * m / ranks, hi = (r + 1) * m / ranks
            var local = [Float](repeating: .nan, count: (hi - lo) * n)
            try local.withUnsafeMutableBufferPointer {
                try f.readRows("/responses", rowStart: lo, rowCount: hi - lo, into: $0)
            }
            gathered += local
        }
        XCTAssertEqual(gathered, full)
    }

    /// The chunk dimensions of a dataset, via raw HDF5 (a second, read-only open).
    func chunkShape(_ path: String, _ name: String) -> [Int] {
        let file = H5Fopen(path, irsl_h5f_acc_rdonly(), irsl_h5p_default())
        defer { H5Fclose(file) }
        let ds = H5Dopen2(file, name, irsl_h5p_default())
        defer { H5Dclose(ds) }
        let dcpl = H5Dget_create_plist(ds)
        defer { H5Pclose(dcpl) }
        guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return [] }
        var dims = [hsize_t](repeating: 0, count: 8)
        let rank = Int(H5Pget_chunk(dcpl, 8, &dims))
        return dims.prefix(rank).map { Int($0) }
    }
}
