import CHDF5

/// Whole-dataset numeric reads and writes: the O(M+N) metadata arrays and the
/// fit outputs. Files always store explicit little-endian types; reads ask
/// HDF5 to convert whatever numeric type is stored, so files written by
/// h5py or pandas with float32 or int64 columns read just as well.
extension H5File {
    /// Writes float64 values as a new dataset; `shape` defaults to `[count]`.
    /// Missing parent groups are created. Every numeric dataset irsl writes
    /// is chunked with Fletcher32 checksums (`checksummedLayout`).
    public func write(_ path: String, doubles: [Double], shape: [Int]? = nil) throws {
        try doubles.withUnsafeBytes { raw in
            try writeNumeric(path, fileType: irsl_h5t_ieee_f64le(), memoryType: irsl_h5t_native_double(),
                             count: doubles.count, shape: shape, data: raw.baseAddress)
        }
    }

    /// Writes int32 values as a new dataset; `shape` defaults to `[count]`.
    public func write(_ path: String, ints: [Int32], shape: [Int]? = nil) throws {
        try ints.withUnsafeBytes { raw in
            try writeNumeric(path, fileType: irsl_h5t_std_i32le(), memoryType: irsl_h5t_native_int32(),
                             count: ints.count, shape: shape, data: raw.baseAddress)
        }
    }

    /// Writes float32 values as a new (contiguous) dataset of the given shape.
    public func write(_ path: String, floats: [Float], shape: [Int]) throws {
        try floats.withUnsafeBytes { raw in
            try writeNumeric(path, fileType: irsl_h5t_ieee_f32le(), memoryType: irsl_h5t_native_float(),
                             count: floats.count, shape: shape, data: raw.baseAddress)
        }
    }

    /// All values of a numeric dataset as Double, flattened in row-major order.
    /// Any stored integer or float type is converted by HDF5.
    public func readDoubles(_ path: String) throws -> [Double] {
        try readNumeric(path, memoryType: irsl_h5t_native_double(), as: Double.self)
    }

    /// All values of a numeric dataset as Int32, flattened in row-major order.
    /// Wider integers are converted by HDF5 (out-of-range values clamp);
    /// floats are truncated toward zero.
    public func readInts(_ path: String) throws -> [Int32] {
        try readNumeric(path, memoryType: irsl_h5t_native_int32(), as: Int32.self)
    }

    // MARK: - Shared implementation

    private func writeNumeric(_ path: String, fileType: hid_t, memoryType: hid_t, count: Int,
                              shape: [Int]?, data: UnsafeRawPointer?) throws {
        let field = H5File.normalise(path)
        let file = try openID(field)
        let shape = shape ?? [count]
        try checkShape(field, shape, count: count)
        try requireAbsent(field)
        let space = try makeDataspace(field, shape)
        defer { H5Sclose(space) }
        let lcpl = try intermediateGroupsPlist(field)
        defer { H5Pclose(lcpl) }
        let dcpl = try checksummedLayout(field, shape: shape, elementSize: H5Tget_size(fileType))
        defer { H5Pclose(dcpl) }
        let ds = H5Dcreate2(file, field, fileType, space, lcpl, dcpl, irsl_h5p_default())
        guard ds >= 0 else { throw failure(field, "cannot create the dataset") }
        defer { H5Dclose(ds) }
        if count > 0 {
            guard H5Dwrite(ds, memoryType, irsl_h5s_all(), irsl_h5s_all(), irsl_h5p_default(), data) >= 0 else {
                throw failure(field, "cannot write \(count) values")
            }
        }
    }

    /// A creation list for a whole-array dataset: chunked by blocks of about
    /// 1 MiB of leading rows, each chunk with a Fletcher32 checksum, so a
    /// damaged fit array is an error on read. Empty arrays stay contiguous
    /// (HDF5 cannot chunk a zero extent). Caller closes it.
    private func checksummedLayout(_ field: String, shape: [Int], elementSize: Int) throws -> hid_t {
        let dcpl = H5Pcreate(irsl_h5p_dataset_create())
        guard dcpl >= 0 else { throw failure(field, "cannot create a dataset property list") }
        guard !shape.isEmpty, !shape.contains(0) else { return dcpl }
        let rowBytes = shape.dropFirst().reduce(max(elementSize, 1), *)
        var chunk = shape.map { hsize_t($0) }
        chunk[0] = hsize_t(max(1, min(shape[0], (1 << 20) / max(rowBytes, 1))))
        guard rowBytes < Int(UInt32.max) / 2, H5Pset_chunk(dcpl, Int32(chunk.count), chunk) >= 0 else {
            return dcpl  // a row too large for one chunk: contiguous, unchecksummed
        }
        do { try setChecksum(dcpl, field) } catch { H5Pclose(dcpl); throw error }
        return dcpl
    }

    private func readNumeric<T>(_ path: String, memoryType: hid_t, as: T.Type) throws -> [T] {
        let field = H5File.normalise(path)
        let ds = try openDataset(field)
        defer { H5Dclose(ds) }
        let type = try datatype(of: ds, field)
        defer { H5Tclose(type) }
        guard H5File.isNumeric(type: type) else {
            throw StoreError(file: label, field: field,
                             message: "expected a numeric dataset, found \(H5File.describe(type: type))")
        }
        let space = try dataspace(of: ds, field)
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count > 0 else { return [] }
        try checkAllocation(field, count: count, size: MemoryLayout<T>.stride)
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            guard H5Dread(ds, memoryType, irsl_h5s_all(), irsl_h5s_all(), irsl_h5p_default(),
                          buffer.baseAddress) >= 0 else {
                throw StoreError(file: label, field: field,
                                 message: withHDF5Detail("cannot read \(count) values").replacingFletcher())
            }
            initialised = count
        }
    }
}
