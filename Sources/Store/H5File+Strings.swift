import CHDF5

/// String datasets (model names, item ids, benchmarks).
///
/// irsl writes variable-length UTF-8 strings, the type h5py uses for Python
/// `str`. Reading also accepts fixed-length strings (what h5py writes for
/// NumPy `S` arrays), null- or space-padded, because ingest scripts produce both.
extension H5File {
    /// Writes a 1-D dataset of variable-length UTF-8 strings.
    /// Strings must not contain NUL characters (C strings cannot hold them).
    public func write(_ path: String, strings: [String]) throws {
        let field = H5File.normalise(path)
        let file = try openID(field)
        try requireAbsent(field)
        let type = try makeVariableStringType(field)
        defer { H5Tclose(type) }
        let space = try makeDataspace(field, [strings.count])
        defer { H5Sclose(space) }
        let lcpl = try intermediateGroupsPlist(field)
        defer { H5Pclose(lcpl) }
        let ds = H5Dcreate2(file, field, type, space, lcpl, irsl_h5p_default(), irsl_h5p_default())
        guard ds >= 0 else { throw failure(field, "cannot create the dataset") }
        defer { H5Dclose(ds) }
        if !strings.isEmpty {
            try withCStringPointers(strings, field: field) { pointers in
                guard H5Dwrite(ds, type, irsl_h5s_all(), irsl_h5s_all(), irsl_h5p_default(), pointers) >= 0 else {
                    throw failure(field, "cannot write \(strings.count) strings")
                }
            }
        }
        try setStringChecksum(field, strings)
    }

    /// The attribute holding a string dataset's checksum.
    public static let stringChecksumAttribute = "irsl_checksum"

    /// FNV-1a (64-bit) over every string's UTF-8 bytes, each followed by a 0 byte.
    static func stringChecksum(_ strings: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for string in strings {
            for byte in string.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0) &* 0x100_0000_01b3
        }
        return hash
    }

    /// Stores the checksum of a string dataset's contents as its attribute
    /// `irsl_checksum` (int64). Why: variable-length strings live in HDF5's
    /// global heap, which has no checksum of its own even in the newest
    /// format; the attribute sits in the dataset's (checksummed) object
    /// header, so a damaged model name or item id is detected on read.
    func setStringChecksum(_ field: String, _ strings: [String]) throws {
        try setAttribute(H5File.stringChecksumAttribute, Int(Int64(bitPattern: H5File.stringChecksum(strings))), on: field)
    }

    /// All strings of a string dataset (variable- or fixed-length), flattened in row-major order.
    public func readStrings(_ path: String) throws -> [String] {
        let field = H5File.normalise(path)
        let ds = try openDataset(field)
        defer { H5Dclose(ds) }
        let type = try datatype(of: ds, field)
        defer { H5Tclose(type) }
        let space = try dataspace(of: ds, field)
        defer { H5Sclose(space) }
        let strings = try decodeStrings(field, storedType: type, space: space) { memoryType, buffer in
            H5Dread(ds, memoryType, irsl_h5s_all(), irsl_h5s_all(), irsl_h5p_default(), buffer)
        }
        if let stored = try intAttribute(H5File.stringChecksumAttribute, on: field),
           UInt64(bitPattern: Int64(stored)) != H5File.stringChecksum(strings) {
            throw StoreError(file: label, field: field,
                             message: "checksum mismatch: the strings are damaged (\(H5File.stringChecksumAttribute) does not match)")
        }
        return strings
    }

    // MARK: - Shared with attributes

    /// A variable-length UTF-8 C-string type. Caller closes it.
    func makeVariableStringType(_ field: String) throws -> hid_t {
        let type = H5Tcopy(irsl_h5t_c_s1())
        guard type >= 0 else { throw failure(field, "cannot create a string type") }
        guard H5Tset_size(type, irsl_h5t_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            H5Tclose(type)
            throw failure(field, "cannot configure a variable-length UTF-8 string type")
        }
        return type
    }

    /// Calls `body` with one NUL-terminated UTF-8 pointer per string, all in
    /// a single buffer that lives for the duration of the call.
    func withCStringPointers<R>(_ strings: [String], field: String,
                                _ body: (UnsafeRawPointer) throws -> R) throws -> R {
        var storage: [CChar] = []
        storage.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count + 1 })
        var offsets: [Int] = []
        offsets.reserveCapacity(strings.count)
        for (index, string) in strings.enumerated() {
            offsets.append(storage.count)
            for byte in string.utf8 {
                guard byte != 0 else {
                    throw StoreError(file: label, field: field,
                                     message: "string \(index) contains a NUL character, which HDF5 strings cannot hold")
                }
                storage.append(CChar(bitPattern: byte))
            }
            storage.append(0)
        }
        return try storage.withUnsafeBufferPointer { chars in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { chars.baseAddress! + $0 }
            return try pointers.withUnsafeBytes { try body($0.baseAddress!) }
        }
    }

    /// Decodes every element of a string dataset or attribute whose stored
    /// type is `storedType` and dataspace is `space`; `read` performs the
    /// H5Dread/H5Aread into the buffer with the given memory type.
    func decodeStrings(_ field: String, storedType: hid_t, space: hid_t,
                       read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        guard H5Tget_class(storedType) == H5T_STRING else {
            throw StoreError(file: label, field: field,
                             message: "expected strings, found \(H5File.describe(type: storedType))")
        }
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count > 0 else { return [] }
        try checkAllocation(field, count: count, size: 16)  // a variable-length string costs ≥ 16 bytes in the file

        if H5Tis_variable_str(storedType) > 0 {
            let memoryType = H5Tcopy(irsl_h5t_c_s1())
            guard memoryType >= 0 else { throw failure(field, "cannot create a string type") }
            defer { H5Tclose(memoryType) }
            H5Tset_size(memoryType, irsl_h5t_variable())
            H5Tset_cset(memoryType, H5Tget_cset(storedType))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            return try pointers.withUnsafeMutableBytes { raw -> [String] in
                guard read(memoryType, raw.baseAddress!) >= 0 else {
                    throw failure(field, "cannot read \(count) strings")
                }
                defer { irsl_h5_reclaim_vlen(memoryType, space, raw.baseAddress!) }
                let typed = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self)
                return typed.map { $0.map { String(cString: $0) } ?? "" }
            }
        }

        // Fixed length: read the raw padded bytes with the stored type itself.
        let width = H5Tget_size(storedType)
        guard width > 0 else { throw failure(field, "cannot read the string width") }
        try checkAllocation(field, count: count, size: width)
        let memoryType = H5Tcopy(storedType)
        guard memoryType >= 0 else { throw failure(field, "cannot copy the string type") }
        defer { H5Tclose(memoryType) }
        let spacePadded = H5Tget_strpad(storedType) == H5T_STR_SPACEPAD
        var bytes = [UInt8](repeating: 0, count: count * width)
        let status = bytes.withUnsafeMutableBytes { read(memoryType, $0.baseAddress!) }
        guard status >= 0 else { throw failure(field, "cannot read \(count) strings") }
        return bytes.withUnsafeBytes { HDF5Bounds.fixedLengthStrings($0, width: width, spacePadded: spacePadded) }
    }
}
