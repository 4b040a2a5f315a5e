import CHDF5
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Datasets that grow: what `irsl ingest --append` needs to add models (rows)
/// and items (columns) to an existing response file.
///
/// Why a separate layout: `createMatrix` and the whole-array writers make
/// fixed-size datasets, the right choice for simulated files whose shape is
/// known up front. Evaluation exports arrive a model at a time and bring new
/// questions with them, so ingest writes every dataset chunked with an
/// unlimited maximum shape and grows it with `H5Dset_extent`. Growing touches
/// only the new chunks: nothing already in the file is read or rewritten, so
/// appending to a multi-GB matrix costs what the new rows cost.
///
/// Readers need not know: an extendible dataset reads exactly like a fixed
/// one (h5py, `readRows`, `ResponseFileInfo.read`), and regions that were
/// never written read as the fill value (NaN for matrices, "" for strings).
extension H5File {
    /// Creates a float32 `[rows, cols]` matrix that can grow in both
    /// dimensions, chunked `[chunkRows, chunkCols]`, uncompressed, with fill
    /// value NaN (= missing) so rows and columns added later start missing.
    /// `rows` and `cols` may be 0.
    public func createExtendibleMatrix(_ path: String, rows: Int, cols: Int,
                                       chunkRows: Int, chunkCols: Int) throws {
        let field = H5File.normalise(path)
        let file = try openID(field)
        guard rows >= 0, cols >= 0 else {
            throw StoreError(file: label, field: field, message: "negative matrix shape [\(rows), \(cols)]")
        }
        guard chunkRows >= 1, chunkCols >= 1 else {
            throw StoreError(file: label, field: field,
                             message: "chunk shape must be positive, got [\(chunkRows), \(chunkCols)]")
        }
        guard chunkRows * chunkCols * 4 < Int(UInt32.max) else {
            throw StoreError(file: label, field: field,
                             message: "chunk [\(chunkRows), \(chunkCols)] exceeds HDF5's 4 GiB chunk limit")
        }
        try requireAbsent(field)
        let unlimited = irsl_h5s_unlimited()
        let dims: [hsize_t] = [hsize_t(rows), hsize_t(cols)]
        let maxDims: [hsize_t] = [unlimited, unlimited]
        let space = H5Screate_simple(2, dims, maxDims)
        guard space >= 0 else { throw failure(field, "cannot create an extendible dataspace") }
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(irsl_h5p_dataset_create())
        guard dcpl >= 0 else { throw failure(field, "cannot create a dataset property list") }
        defer { H5Pclose(dcpl) }
        let chunk: [hsize_t] = [hsize_t(chunkRows), hsize_t(chunkCols)]
        guard H5Pset_chunk(dcpl, 2, chunk) >= 0 else {
            throw failure(field, "cannot set chunk shape [\(chunkRows), \(chunkCols)]")
        }
        try setChecksum(dcpl, field)
        var fill = Float.nan
        guard H5Pset_fill_value(dcpl, irsl_h5t_native_float(), &fill) >= 0 else {
            throw failure(field, "cannot set the fill value")
        }
        let lcpl = try intermediateGroupsPlist(field)
        defer { H5Pclose(lcpl) }
        let ds = H5Dcreate2(file, field, irsl_h5t_ieee_f32le(), space, lcpl, dcpl, irsl_h5p_default())
        guard ds >= 0 else { throw failure(field, "cannot create the extendible matrix") }
        H5Dclose(ds)
    }

    /// The maximum shape of a dataset: one entry per dimension, nil where
    /// the dimension is unlimited.
    public func maximumShape(_ path: String) throws -> [Int?] {
        let field = H5File.normalise(path)
        let ds = try openDataset(field)
        defer { H5Dclose(ds) }
        let space = try dataspace(of: ds, field)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        var maxDims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, &maxDims)
        let unlimited = irsl_h5s_unlimited()
        return maxDims.map { $0 == unlimited ? nil : Int($0) }
    }

    /// Whether every dimension of the dataset can grow without limit (it is
    /// chunked with an unlimited maximum shape), i.e. `extend` will work.
    public func isExtendible(_ path: String) throws -> Bool {
        let maxShape = try maximumShape(path)
        return !maxShape.isEmpty && maxShape.allSatisfy { $0 == nil }
    }

    /// Grows a dataset to `shape` (same rank). Dimensions never shrink: a
    /// smaller request for a dimension keeps its current size. New regions
    /// read as the fill value until written.
    public func extend(_ path: String, to shape: [Int]) throws {
        let field = H5File.normalise(path)
        // Use the matrix handle readRows/writeRows keep open, if any, so its
        // cached chunks and its view of the extent stay consistent.
        let cached = matrixDatasets[field]
        let ds = try cached ?? openDataset(field)
        defer { if cached == nil { H5Dclose(ds) } }
        let space = try dataspace(of: ds, field)
        let current = H5File.dimensions(of: space)
        H5Sclose(space)
        guard current.count == shape.count else {
            throw StoreError(file: label, field: field,
                             message: "cannot extend a rank-\(current.count) dataset to shape \(shape)")
        }
        let target = zip(current, shape).map { max($0, $1) }
        guard target != current else { return }
        let maxShape = try maximumShape(field)
        for (dim, (size, limit)) in zip(target, maxShape).enumerated() {
            if let limit, size > limit {
                throw StoreError(file: label, field: field,
                                 message: "is fixed-size \(current) (maximum shape \(maxShape.map { $0.map(String.init) ?? "unlimited" })); "
                                    + "cannot grow dimension \(dim) to \(size): the file must be rewritten with extendible datasets")
            }
        }
        let dims = target.map { hsize_t($0) }
        guard H5Dset_extent(ds, dims) >= 0 else {
            throw failure(field, "cannot extend from \(current) to \(target)")
        }
    }

    /// Creates a 1-D variable-length UTF-8 string dataset holding `strings`
    /// that can grow (`append(_:strings:)`), chunked by `chunk` elements.
    public func createExtendible(_ path: String, strings: [String], chunk: Int = 4096) throws {
        let field = H5File.normalise(path)
        let type = try makeVariableStringType(field)
        defer { H5Tclose(type) }
        try createExtendibleVector(field, fileType: type, count: strings.count, chunk: chunk)
        try append(field, strings: strings, startingAt: 0)
        try setStringChecksum(field, strings)
    }

    /// Creates a 1-D float64 dataset holding `doubles` that can grow
    /// (`append(_:doubles:)`), chunked by `chunk` elements, fill value NaN.
    public func createExtendible(_ path: String, doubles: [Double], chunk: Int = 4096) throws {
        let field = H5File.normalise(path)
        try createExtendibleVector(field, fileType: irsl_h5t_ieee_f64le(), count: doubles.count, chunk: chunk,
                                   fillDouble: .nan)
        try append(field, doubles: doubles, startingAt: 0)
    }

    /// Appends strings to the end of an extendible 1-D string dataset.
    public func append(_ path: String, strings: [String]) throws {
        let field = H5File.normalise(path)
        let count = try vectorLength(field)
        try extend(field, to: [count + strings.count])
        try append(field, strings: strings, startingAt: count)
        try refreshStringChecksum(field)
    }

    /// Recomputes a grown or modified string dataset's checksum (O(length): metadata only).
    private func refreshStringChecksum(_ field: String) throws {
        try removeAttribute(H5File.stringChecksumAttribute, on: field)  // the old one no longer matches
        try setStringChecksum(field, try readStrings(field))
    }

    /// Appends values to the end of an extendible 1-D numeric dataset.
    public func append(_ path: String, doubles: [Double]) throws {
        let field = H5File.normalise(path)
        let count = try vectorLength(field)
        try extend(field, to: [count + doubles.count])
        try append(field, doubles: doubles, startingAt: count)
    }

    /// Overwrites elements `start..<start+count` of a 1-D string dataset
    /// (e.g. one model's family when its row is replaced); the range must
    /// lie within the current extent.
    public func overwrite(_ path: String, at start: Int, strings: [String]) throws {
        let field = H5File.normalise(path)
        try checkSlice(field, start, strings.count)
        try append(field, strings: strings, startingAt: start)
        try refreshStringChecksum(field)
    }

    /// Overwrites elements `start..<start+count` of a 1-D numeric dataset.
    public func overwrite(_ path: String, at start: Int, doubles: [Double]) throws {
        let field = H5File.normalise(path)
        try checkSlice(field, start, doubles.count)
        try append(field, doubles: doubles, startingAt: start)
    }

    /// Copies every row of the numeric matrix `path` in `source` into the
    /// float32 matrix `path` of this file, which must already have the same
    /// shape, `rowsPerBlock` rows at a time. Both datasets are opened with a
    /// chunk cache of about one band of chunks (not the 64 MiB `readRows`
    /// uses), so memory stays one block plus a few chunks however large the
    /// matrix: this is how a fixed-size file is rewritten into an extendible one.
    public func copyRows(_ path: String, from source: H5File, rowsPerBlock: Int) throws {
        let field = H5File.normalise(path)
        let inputAccess = try source.smallCacheAccess(field)
        defer { H5Pclose(inputAccess) }
        let outputAccess = try smallCacheAccess(field)
        defer { H5Pclose(outputAccess) }
        let input = try source.openDataset(field, access: inputAccess)
        defer { H5Dclose(input) }
        let output = try openDataset(field, access: outputAccess)
        defer { H5Dclose(output) }
        let inputSpace = H5Dget_space(input), outputSpace = H5Dget_space(output)
        defer { H5Sclose(inputSpace); H5Sclose(outputSpace) }
        guard inputSpace >= 0, outputSpace >= 0 else { throw failure(field, "cannot read the dataspaces") }
        let shape = H5File.dimensions(of: inputSpace)
        guard shape.count == 2, H5File.dimensions(of: outputSpace) == shape else {
            throw StoreError(file: label, field: field,
                             message: "cannot copy \(shape) rows into shape \(H5File.dimensions(of: outputSpace))")
        }
        let (rows, cols) = (shape[0], shape[1])
        guard rows > 0, cols > 0 else { return }
        let block = max(1, min(rowsPerBlock, rows))
        var buffer = [Float](repeating: .nan, count: block * cols)
        for start in stride(from: 0, to: rows, by: block) {
            let count = min(block, rows - start)
            var offset: [hsize_t] = [hsize_t(start), 0]
            var extent: [hsize_t] = [hsize_t(count), hsize_t(cols)]
            let memory = H5Screate_simple(2, &extent, nil)
            guard memory >= 0 else { throw failure(field, "cannot create the memory dataspace") }
            defer { H5Sclose(memory) }
            guard H5Sselect_hyperslab(inputSpace, H5S_SELECT_SET, &offset, nil, &extent, nil) >= 0,
                  H5Sselect_hyperslab(outputSpace, H5S_SELECT_SET, &offset, nil, &extent, nil) >= 0 else {
                throw failure(field, "cannot select rows \(start)..<\(start + count)")
            }
            try buffer.withUnsafeMutableBytes { raw in
                guard H5Dread(input, irsl_h5t_native_float(), memory, inputSpace, irsl_h5p_default(), raw.baseAddress) >= 0 else {
                    throw StoreError(file: source.label, field: field,
                                     message: withHDF5Detail("cannot read rows \(start)..<\(start + count)"))
                }
                guard H5Dwrite(output, irsl_h5t_native_float(), memory, outputSpace, irsl_h5p_default(), raw.baseAddress) >= 0 else {
                    throw failure(field, "cannot write rows \(start)..<\(start + count)")
                }
            }
        }
    }

    // MARK: - Implementation

    /// A dataset-access property list whose chunk cache holds one band of
    /// chunks (a chunk's rows across every column) twice over. Caller closes it.
    func smallCacheAccess(_ field: String) throws -> hid_t {
        var bandBytes = 1 << 20
        do {
            let ds = try openDataset(field)
            defer { H5Dclose(ds) }
            let dcpl = H5Dget_create_plist(ds), type = H5Dget_type(ds), space = H5Dget_space(ds)
            defer {
                if dcpl >= 0 { H5Pclose(dcpl) }
                if type >= 0 { H5Tclose(type) }
                if space >= 0 { H5Sclose(space) }
            }
            let dims = space >= 0 ? H5File.dimensions(of: space) : []
            if dcpl >= 0, type >= 0, dims.count == 2, H5Pget_layout(dcpl) == H5D_CHUNKED {
                var chunk = [hsize_t](repeating: 0, count: 2)
                if H5Pget_chunk(dcpl, 2, &chunk) == 2 {
                    bandBytes = max(bandBytes, Int(chunk[0]) * max(dims[1], Int(chunk[1])) * H5Tget_size(type))
                }
            }
        }
        let dapl = H5Pcreate(irsl_h5p_dataset_access())
        guard dapl >= 0 else { throw failure(field, "cannot create a dataset access property list") }
        // w0 = 0.75 (HDF5's default): with 1.0, HDF5 1.10 was seen to balloon
        // memory by ~80 MB while writing a 160 MB matrix through a 5 MB cache.
        guard H5Pset_chunk_cache(dapl, 521, 2 * bandBytes, 0.75) >= 0 else {
            H5Pclose(dapl)
            throw failure(field, "cannot set the chunk cache")
        }
        return dapl
    }

    private func checkSlice(_ field: String, _ start: Int, _ count: Int) throws {
        let length = try vectorLength(field)
        guard start >= 0, start + count <= length else {
            throw StoreError(file: label, field: field,
                             message: "elements \(start)..<\(start + count) are outside the dataset's \(length) elements")
        }
    }

    private func vectorLength(_ field: String) throws -> Int {
        let shape = try shape(field)
        guard shape.count == 1 else {
            throw StoreError(file: label, field: field, message: "expected a 1-D dataset, found rank \(shape.count)")
        }
        return shape[0]
    }

    private func createExtendibleVector(_ field: String, fileType: hid_t, count: Int, chunk: Int,
                                        fillDouble: Double? = nil) throws {
        let file = try openID(field)
        guard chunk >= 1 else {
            throw StoreError(file: label, field: field, message: "chunk must be positive, got \(chunk)")
        }
        try requireAbsent(field)
        var dims: [hsize_t] = [hsize_t(count)]
        var maxDims: [hsize_t] = [irsl_h5s_unlimited()]
        let space = H5Screate_simple(1, &dims, &maxDims)
        guard space >= 0 else { throw failure(field, "cannot create an extendible dataspace") }
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(irsl_h5p_dataset_create())
        guard dcpl >= 0 else { throw failure(field, "cannot create a dataset property list") }
        defer { H5Pclose(dcpl) }
        var chunkDims: [hsize_t] = [hsize_t(chunk)]
        guard H5Pset_chunk(dcpl, 1, &chunkDims) >= 0 else { throw failure(field, "cannot set chunk size \(chunk)") }
        if fillDouble != nil { try setChecksum(dcpl, field) }  // numeric vectors; strings hold only heap references
        if var fill = fillDouble {
            guard H5Pset_fill_value(dcpl, irsl_h5t_native_double(), &fill) >= 0 else {
                throw failure(field, "cannot set the fill value")
            }
        }
        let lcpl = try intermediateGroupsPlist(field)
        defer { H5Pclose(lcpl) }
        let ds = H5Dcreate2(file, field, fileType, space, lcpl, dcpl, irsl_h5p_default())
        guard ds >= 0 else { throw failure(field, "cannot create the extendible dataset") }
        H5Dclose(ds)
    }

    /// Writes `strings` into elements `start..<start+count` (already within the extent).
    private func append(_ field: String, strings: [String], startingAt start: Int) throws {
        guard !strings.isEmpty else { return }
        let type = try makeVariableStringType(field)
        defer { H5Tclose(type) }
        try withCStringPointers(strings, field: field) { pointers in
            try writeVectorSlice(field, start: start, count: strings.count, memoryType: type, data: pointers)
        }
    }

    /// Writes `doubles` into elements `start..<start+count` (already within the extent).
    private func append(_ field: String, doubles: [Double], startingAt start: Int) throws {
        guard !doubles.isEmpty else { return }
        try doubles.withUnsafeBytes { raw in
            try writeVectorSlice(field, start: start, count: doubles.count,
                                 memoryType: irsl_h5t_native_double(), data: raw.baseAddress!)
        }
    }

    private func writeVectorSlice(_ field: String, start: Int, count: Int, memoryType: hid_t,
                                  data: UnsafeRawPointer) throws {
        let ds = try openDataset(field)
        defer { H5Dclose(ds) }
        let fileSpace = try dataspace(of: ds, field)
        defer { H5Sclose(fileSpace) }
        var offset: [hsize_t] = [hsize_t(start)]
        var extent: [hsize_t] = [hsize_t(count)]
        guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offset, nil, &extent, nil) >= 0 else {
            throw failure(field, "cannot select elements \(start)..<\(start + count)")
        }
        let memorySpace = H5Screate_simple(1, &extent, nil)
        guard memorySpace >= 0 else { throw failure(field, "cannot create the memory dataspace") }
        defer { H5Sclose(memorySpace) }
        guard H5Dwrite(ds, memoryType, memorySpace, fileSpace, irsl_h5p_default(), data) >= 0 else {
            throw failure(field, "cannot write elements \(start)..<\(start + count)")
        }
    }
}

/// Modifies an existing HDF5 file so that readers never see a half-modified
/// one: the file is copied to a temporary name (a streaming copy, no dataset
/// is loaded), `body` changes the copy, which is then flushed, synced and
/// renamed over `path`. If anything throws (a full disk included), the copy
/// is removed and `path` is untouched. The copy costs one sequential pass
/// over the file; in return a failed or killed append can never corrupt a
/// good file. Errors name `path`, not the temporary copy.
public func updateAtomically(_ path: String, _ body: (H5File) throws -> Void) throws {
    try writeOutputs { try $0.updateHDF5(path, body) }
}
