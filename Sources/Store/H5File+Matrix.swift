import CHDF5

/// Row-block matrices: the response matrix `[M, N]` (and `/trials`).
///
/// The matrix is chunked by blocks of whole rows so that an MPI rank owning
/// rows `rowStart..<rowStart+rowCount` reads them with one hyperslab straight
/// into its own buffer: no intermediate copy, and only the chunks that
/// overlap its range are touched. Matrices can be hundreds of MB, so these
/// calls never materialise anything beyond the caller's buffer.
extension H5File {
    /// The stored element type of a matrix.
    public enum ElementType {
        case float32
        case int32
    }

    /// The chunk cache given to each matrix: large enough to hold a chunk, so
    /// a chunk shared by two consecutive row blocks is read from disk once.
    static let chunkCacheBytes = 64 << 20
    /// Hash slots of the chunk cache (a prime, as HDF5 recommends).
    static let chunkCacheSlots = 521

    /// Creates an `[rows, cols]` matrix chunked as `[min(chunkRows, rows), cols]`,
    /// uncompressed, each chunk with a Fletcher32 checksum (a damaged chunk
    /// reads as an error naming the matrix, not as silently changed values).
    /// Unwritten float32 entries read as NaN (= missing), int32 as 0.
    public func createMatrix(_ path: String, type: ElementType, rows: Int, cols: Int, chunkRows: Int) throws {
        let field = H5File.normalise(path)
        let file = try openID(field)
        guard rows >= 0, cols >= 0 else {
            throw StoreError(file: label, field: field, message: "negative matrix shape [\(rows), \(cols)]")
        }
        guard chunkRows >= 1 else {
            throw StoreError(file: label, field: field, message: "chunkRows must be at least 1, got \(chunkRows)")
        }
        try requireAbsent(field)
        let space = try makeDataspace(field, [rows, cols])
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(irsl_h5p_dataset_create())
        guard dcpl >= 0 else { throw failure(field, "cannot create a dataset property list") }
        defer { H5Pclose(dcpl) }

        // HDF5 cannot chunk a zero-sized extent; such a matrix stays contiguous.
        if rows > 0 && cols > 0 {
            let rowBytes = cols * 4
            let maxChunkBytes = Int(UInt32.max) - 1  // HDF5 limit on one chunk
            guard rowBytes <= maxChunkBytes else {
                throw StoreError(file: label, field: field,
                                 message: "a row of \(cols) columns exceeds HDF5's 4 GiB chunk limit")
            }
            let blockRows = min(chunkRows, rows, maxChunkBytes / rowBytes)
            let chunk: [hsize_t] = [hsize_t(blockRows), hsize_t(cols)]
            guard H5Pset_chunk(dcpl, 2, chunk) >= 0 else {
                throw failure(field, "cannot set chunk shape [\(blockRows), \(cols)]")
            }
            try setChecksum(dcpl, field)
        }

        let fileType: hid_t
        let status: herr_t
        switch type {
        case .float32:
            fileType = irsl_h5t_ieee_f32le()
            var fill = Float.nan
            status = H5Pset_fill_value(dcpl, irsl_h5t_native_float(), &fill)
        case .int32:
            fileType = irsl_h5t_std_i32le()
            var fill: Int32 = 0
            status = H5Pset_fill_value(dcpl, irsl_h5t_native_int32(), &fill)
        }
        guard status >= 0 else { throw failure(field, "cannot set the fill value") }

        let lcpl = try intermediateGroupsPlist(field)
        defer { H5Pclose(lcpl) }
        let ds = H5Dcreate2(file, field, fileType, space, lcpl, dcpl, irsl_h5p_default())
        guard ds >= 0 else { throw failure(field, "cannot create the matrix") }
        H5Dclose(ds)
    }

    /// Writes rows `rowStart..<rowStart+rowCount` of a float32 matrix from a
    /// row-major buffer of exactly `rowCount * cols` values.
    public func writeRows(_ path: String, rowStart: Int, rowCount: Int, floats: UnsafeBufferPointer<Float>) throws {
        try transferRows(path, rowStart: rowStart, rowCount: rowCount, count: floats.count,
                         memoryType: irsl_h5t_native_float(), requiredClass: H5T_FLOAT, kind: "float",
                         buffer: UnsafeMutableRawPointer(mutating: floats.baseAddress), writing: true)
    }

    /// Writes rows `rowStart..<rowStart+rowCount` of an int32 matrix from a
    /// row-major buffer of exactly `rowCount * cols` values.
    public func writeRows(_ path: String, rowStart: Int, rowCount: Int, ints: UnsafeBufferPointer<Int32>) throws {
        try transferRows(path, rowStart: rowStart, rowCount: rowCount, count: ints.count,
                         memoryType: irsl_h5t_native_int32(), requiredClass: H5T_INTEGER, kind: "integer",
                         buffer: UnsafeMutableRawPointer(mutating: ints.baseAddress), writing: true)
    }

    /// Reads rows `rowStart..<rowStart+rowCount` into a row-major buffer of
    /// exactly `rowCount * cols` values. Any numeric stored type (e.g. a
    /// float64 matrix written by NumPy) is converted by HDF5.
    public func readRows(_ path: String, rowStart: Int, rowCount: Int, into: UnsafeMutableBufferPointer<Float>) throws {
        try transferRows(path, rowStart: rowStart, rowCount: rowCount, count: into.count,
                         memoryType: irsl_h5t_native_float(), requiredClass: nil, kind: "numeric",
                         buffer: UnsafeMutableRawPointer(into.baseAddress), writing: false)
    }

    /// Reads rows `rowStart..<rowStart+rowCount` of an integer (or float,
    /// truncated) matrix into a row-major buffer of exactly `rowCount * cols` values.
    public func readRows(_ path: String, rowStart: Int, rowCount: Int, into: UnsafeMutableBufferPointer<Int32>) throws {
        try transferRows(path, rowStart: rowStart, rowCount: rowCount, count: into.count,
                         memoryType: irsl_h5t_native_int32(), requiredClass: nil, kind: "numeric",
                         buffer: UnsafeMutableRawPointer(into.baseAddress), writing: false)
    }

    // MARK: - Implementation

    /// Adds the Fletcher32 checksum filter to a chunked dataset's creation list.
    func setChecksum(_ dcpl: hid_t, _ field: String) throws {
        guard H5Pset_fletcher32(dcpl) >= 0 else { throw failure(field, "cannot enable Fletcher32 checksums") }
    }

    /// One hyperslab transfer between rows of the file matrix and the caller's buffer.
    /// `requiredClass` (writes only) refuses to silently convert, e.g., floats into an int matrix.
    private func transferRows(_ path: String, rowStart: Int, rowCount: Int, count: Int, memoryType: hid_t,
                              requiredClass: H5T_class_t?, kind: String,
                              buffer: UnsafeMutableRawPointer?, writing: Bool) throws {
        let field = H5File.normalise(path)
        let ds = try matrixDataset(field)

        let type = try datatype(of: ds, field)
        defer { H5Tclose(type) }
        let stored = H5Tget_class(type)
        if let requiredClass, stored != requiredClass {
            throw StoreError(file: label, field: field,
                             message: "expected a 2-D \(kind) matrix, found \(H5File.describe(type: type))")
        }
        guard H5File.isNumeric(type: type) else {
            throw StoreError(file: label, field: field,
                             message: "expected a 2-D numeric matrix, found \(H5File.describe(type: type))")
        }

        let fileSpace = try dataspace(of: ds, field)
        defer { H5Sclose(fileSpace) }
        let dims = H5File.dimensions(of: fileSpace)
        guard dims.count == 2 else {
            throw StoreError(file: label, field: field, message: "expected a 2-D matrix, found rank \(dims.count)")
        }
        let (rows, cols) = (dims[0], dims[1])
        guard rowStart >= 0, rowCount >= 0, rowStart + rowCount <= rows else {
            throw StoreError(file: label, field: field,
                             message: "rows \(rowStart)..<\(rowStart + rowCount) are outside the matrix's \(rows) rows")
        }
        guard count == rowCount * cols else {
            throw StoreError(file: label, field: field,
                             message: "buffer holds \(count) values, expected \(rowCount) rows × \(cols) columns = \(rowCount * cols)")
        }
        guard count > 0 else { return }

        let start: [hsize_t] = [hsize_t(rowStart), 0]
        let extent: [hsize_t] = [hsize_t(rowCount), hsize_t(cols)]
        guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, extent, nil) >= 0 else {
            throw failure(field, "cannot select rows \(rowStart)..<\(rowStart + rowCount)")
        }
        let memorySpace = H5Screate_simple(2, extent, nil)
        guard memorySpace >= 0 else { throw failure(field, "cannot create the memory dataspace") }
        defer { H5Sclose(memorySpace) }

        let status = writing
            ? H5Dwrite(ds, memoryType, memorySpace, fileSpace, irsl_h5p_default(), buffer)
            : H5Dread(ds, memoryType, memorySpace, fileSpace, irsl_h5p_default(), buffer)
        guard status >= 0 else {
            let what = "cannot \(writing ? "write" : "read") rows \(rowStart)..<\(rowStart + rowCount)"
            throw StoreError(file: label, field: field, message: withHDF5Detail(what).replacingFletcher())
        }
    }

    /// The matrix opened with a chunk cache that holds at least one chunk,
    /// kept open until the file closes (see `matrixDatasets`).
    private func matrixDataset(_ field: String) throws -> hid_t {
        if let ds = matrixDatasets[field] { return ds }
        // The cache is fixed when the dataset opens, so learn the chunk size first.
        var chunkBytes = 0
        do {
            let probe = try openDataset(field)
            defer { H5Dclose(probe) }
            let dcpl = H5Dget_create_plist(probe)
            let type = H5Dget_type(probe)
            if dcpl >= 0, type >= 0, H5Pget_layout(dcpl) == H5D_CHUNKED {
                var chunk = [hsize_t](repeating: 0, count: 32)
                let rank = Int(H5Pget_chunk(dcpl, 32, &chunk))
                if rank > 0 {
                    chunkBytes = chunk.prefix(rank).reduce(H5Tget_size(type)) { $0 * Int($1) }
                }
            }
            if dcpl >= 0 { H5Pclose(dcpl) }
            if type >= 0 { H5Tclose(type) }
        }
        let dapl = H5Pcreate(irsl_h5p_dataset_access())
        guard dapl >= 0 else { throw failure(field, "cannot create a dataset access property list") }
        defer { H5Pclose(dapl) }
        // w0 = 1: evict fully read/written chunks first; each is touched once.
        guard H5Pset_chunk_cache(dapl, H5File.chunkCacheSlots,
                                 max(H5File.chunkCacheBytes, chunkBytes), 1.0) >= 0 else {
            throw failure(field, "cannot set the chunk cache")
        }
        let ds = try openDataset(field, access: dapl)
        matrixDatasets[field] = ds
        return ds
    }
}
