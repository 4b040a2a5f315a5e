import CHDF5
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One-time library set-up, run lazily (and thread-safely, as a global) by
/// the first `H5File`: HDF5's own error printer is switched off because every
/// failure becomes a `StoreError` that names the file and field instead.
private let hdf5Initialised: Void = irsl_h5_init()

func ensureHDF5() { _ = hdf5Initialised }

/// An open HDF5 file, with just the operations the irsl formats need.
///
/// Why a wrapper rather than raw HDF5 calls everywhere: HDF5 reports failure
/// as a negative id with the details on a global error stack, and every id
/// it returns must be closed. `H5File` turns each failure into a `StoreError`
/// naming the file and the dataset path, closes every id it opens, and
/// exposes HDF5's macros through the CHDF5 shim. Paths inside the file are
/// absolute ("/models/name"); a missing leading "/" is added.
///
/// Not thread-safe: the serial HDF5 library is not, so use one thread.
public final class H5File {
    /// How to open the file.
    public enum Mode {
        /// Existing file, reads only.
        case readOnly
        /// Existing file, reads and writes.
        case readWrite
        /// Create the file, replacing any existing one.
        case truncate
    }

    /// The path the file was opened at.
    public let path: String
    /// The file name used in error messages. `writeAtomically` sets it to the
    /// final path so errors don't mention the temporary name.
    var label: String
    /// The HDF5 file id, or -1 once closed.
    /// The raw HDF5 file handle, for callers that write layouts Store does not (tests of foreign files).
    public private(set) var id: hid_t = -1
    /// Matrices opened by readRows/writeRows, kept open (with their chunk
    /// cache) until the file closes, so consecutive row blocks that share a
    /// chunk find it in the cache instead of re-reading it from disk.
    var matrixDatasets: [String: hid_t] = [:]
    /// Size in bytes of the file when it was opened (0 for new files): the
    /// yardstick for sizes read from the file (`checkAllocation`).
    var fileSize = 0

    /// Opens (or, with `.truncate`, creates) the HDF5 file at `path`.
    /// Throws a `StoreError` if the file is missing, not HDF5, or unreadable.
    ///
    /// Existing files go through the guarded path first (`HDF5Guard.check`):
    /// a file whose metadata would crash or hang libhdf5 is reported as
    /// `FILE: the HDF5 file is corrupt (…)` instead. New files use the newest
    /// file format (checksummed metadata).
    public init(_ path: String, mode: Mode) throws {
        ensureHDF5()
        self.path = path
        self.label = path
        if mode != .truncate {
            try HDF5Guard.check(path, label: path)
            var st = stat()
            if stat(path, &st) == 0 { fileSize = Int(st.st_size) }
        }
        let fapl = mode == .truncate ? irsl_h5_create_access_plist() : irsl_h5_file_access_plist()
        guard fapl >= 0 else {
            throw StoreError(file: path, field: "", message: withHDF5Detail("cannot create a file access property list"))
        }
        defer { H5Pclose(fapl) }
        switch mode {
        case .readOnly, .readWrite:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw StoreError(file: path, field: "", message: "no such file")
            }
            guard !isDirectory.boolValue else {
                throw StoreError(file: path, field: "", message: "is a directory, expected an HDF5 file")
            }
            let isHDF5 = H5Fis_hdf5(path)
            if isHDF5 == 0 {
                throw StoreError(file: path, field: "", message: "not an HDF5 file")
            } else if isHDF5 < 0 {
                throw StoreError(file: path, field: "",
                                 message: withHDF5Detail("cannot read the file"))
            }
            let flags = mode == .readOnly ? irsl_h5f_acc_rdonly() : irsl_h5f_acc_rdwr()
            id = H5Fopen(path, flags, fapl)
            guard id >= 0 else {
                throw StoreError(file: path, field: "",
                                 message: withHDF5Detail("cannot open the HDF5 file"))
            }
        case .truncate:
            id = H5Fcreate(path, irsl_h5f_acc_trunc(), irsl_h5p_default(), fapl)
            guard id >= 0 else {
                throw StoreError(file: path, field: "",
                                 message: withHDF5Detail("cannot create the HDF5 file"))
            }
        }
    }

    deinit { close() }

    /// Closes the file. Safe to call more than once; later operations throw.
    public func close() {
        closeMatrixDatasets()
        if id >= 0 {
            H5Fclose(id)
            id = -1
        }
    }

    /// Flushes and closes, reporting failure (used before renaming a finished file).
    func closeChecked() throws {
        guard id >= 0 else { return }
        if !closeMatrixDatasets() {
            let message = withHDF5Detail("cannot flush a matrix's chunk cache")
            H5Fclose(id)
            id = -1
            throw StoreError(file: label, field: "", message: message)
        }
        let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
        let flushError = flushed < 0 ? withHDF5Detail("cannot flush the file") : nil
        let closed = H5Fclose(id)
        id = -1
        if let flushError { throw StoreError(file: label, field: "", message: flushError) }
        if closed < 0 {
            throw StoreError(file: label, field: "", message: withHDF5Detail("cannot close the file"))
        }
    }

    /// Closes the cached matrices (flushing their chunk caches); false if any close failed.
    @discardableResult
    private func closeMatrixDatasets() -> Bool {
        var ok = true
        for ds in matrixDatasets.values where H5Dclose(ds) < 0 { ok = false }
        matrixDatasets.removeAll()
        return ok
    }

    // MARK: - Navigation

    /// Whether the object at `path` exists. Every component is checked in
    /// turn, so a missing parent gives `false` rather than an HDF5 error.
    public func exists(_ path: String) -> Bool {
        guard id >= 0 else { return false }
        let normalised = H5File.normalise(path)
        if normalised == "/" { return true }
        var prefix = ""
        for component in normalised.split(separator: "/") {
            prefix += "/" + component
            if H5Lexists(id, prefix, irsl_h5p_default()) <= 0 {
                _ = hdf5ErrorMessage()  // discard any stack left by a non-group parent
                return false
            }
        }
        return true
    }

    /// The dimensions of a dataset (`[]` for a scalar).
    public func shape(_ dataset: String) throws -> [Int] {
        let field = H5File.normalise(dataset)
        let ds = try openDataset(field)
        defer { H5Dclose(ds) }
        let space = try dataspace(of: ds, field)
        defer { H5Sclose(space) }
        return H5File.dimensions(of: space)
    }

    // MARK: - Internal helpers shared by the extensions

    /// The datatype of an open dataset (the caller closes it), or an error
    /// naming `field`: every reader checks this the same way.
    func datatype(of ds: hid_t, _ field: String) throws -> hid_t {
        let type = H5Dget_type(ds)
        guard type >= 0 else { throw failure(field, "cannot read the datatype") }
        return type
    }

    /// The dataspace of an open dataset (the caller closes it), or an error naming `field`.
    func dataspace(of ds: hid_t, _ field: String) throws -> hid_t {
        let space = H5Dget_space(ds)
        guard space >= 0 else { throw failure(field, "cannot read the dataspace") }
        return space
    }

    /// What a dataset stores, for validation messages.
    struct StoredType {
        var isNumeric: Bool
        var isString: Bool
        /// "float32", "int64", "variable-length string", ...
        var description: String
    }

    /// The stored element type of a dataset.
    func storedType(_ dataset: String) throws -> StoredType {
        let field = H5File.normalise(dataset)
        let ds = try openDataset(field)
        defer { H5Dclose(ds) }
        let type = try datatype(of: ds, field)
        defer { H5Tclose(type) }
        return StoredType(isNumeric: H5File.isNumeric(type: type),
                          isString: H5Tget_class(type) == H5T_STRING,
                          description: H5File.describe(type: type))
    }

    /// "/a/b" form: leading slash, no empty components, no trailing slash.
    static func normalise(_ path: String) -> String {
        "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }

    /// The file id, or an error if the file was closed.
    func openID(_ field: String) throws -> hid_t {
        guard id >= 0 else { throw StoreError(file: label, field: field, message: "the file is closed") }
        return id
    }

    /// An error for `field`, with HDF5's innermost message appended when there is one.
    func failure(_ field: String, _ message: String) -> StoreError {
        StoreError(file: label, field: field, message: withHDF5Detail(message))
    }

    /// Opens a dataset; `access` may carry a chunk-cache setting.
    func openDataset(_ field: String, access: hid_t? = nil) throws -> hid_t {
        let file = try openID(field)
        guard exists(field) else {
            throw StoreError(file: label, field: field, message: "no such dataset")
        }
        let ds = H5Dopen2(file, field, access ?? irsl_h5p_default())
        guard ds >= 0 else { throw failure(field, "not a dataset") }
        return ds
    }

    /// Opens any object (group or dataset) for attribute access.
    func openObject(_ field: String) throws -> hid_t {
        let file = try openID(field)
        guard exists(field) else {
            throw StoreError(file: label, field: field, message: "no such group or dataset")
        }
        let object = H5Oopen(file, field, irsl_h5p_default())
        guard object >= 0 else { throw failure(field, "cannot open the object") }
        return object
    }

    /// Refuses to write over an existing object: irsl always writes fresh files.
    func requireAbsent(_ field: String) throws {
        _ = try openID(field)
        if field == "/" || exists(field) {
            throw StoreError(file: label, field: field,
                             message: "already exists (irsl writes each dataset once, into a fresh file)")
        }
    }

    /// A link-creation property list that creates missing parent groups. Caller closes it.
    func intermediateGroupsPlist(_ field: String) throws -> hid_t {
        let lcpl = H5Pcreate(irsl_h5p_link_create())
        guard lcpl >= 0 else { throw failure(field, "cannot create a link property list") }
        guard H5Pset_create_intermediate_group(lcpl, 1) >= 0 else {
            H5Pclose(lcpl)
            throw failure(field, "cannot enable intermediate group creation")
        }
        guard H5Pset_char_encoding(lcpl, H5T_CSET_UTF8) >= 0 else {
            H5Pclose(lcpl)
            throw failure(field, "cannot set UTF-8 link names")
        }
        return lcpl
    }

    /// The dimensions of a dataspace (`[]` for scalar or null spaces).
    static func dimensions(of space: hid_t) -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return [] }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { HDF5Bounds.int(UInt64($0)) }
    }

    /// A simple dataspace with the given dimensions (scalar for `[]`). Caller closes it.
    func makeDataspace(_ field: String, _ shape: [Int]) throws -> hid_t {
        let space: hid_t
        if shape.isEmpty {
            space = H5Screate(H5S_SCALAR)
        } else {
            let dims = shape.map { hsize_t($0) }
            space = H5Screate_simple(Int32(dims.count), dims, nil)
        }
        guard space >= 0 else { throw failure(field, "cannot create a dataspace of shape \(shape)") }
        return space
    }

    /// Checks a requested shape against the number of values supplied.
    func checkShape(_ field: String, _ shape: [Int], count: Int) throws {
        if shape.contains(where: { $0 < 0 }) {
            throw StoreError(file: label, field: field, message: "negative dimension in shape \(shape)")
        }
        let product = shape.reduce(1, *)
        guard product == count else {
            throw StoreError(file: label, field: field,
                             message: "shape \(shape) holds \(product) values but \(count) were given")
        }
    }

    /// Refuses to allocate `count` values of `size` bytes for `field` when a
    /// file of this size cannot hold them: a corrupted dimension or string
    /// width would otherwise ask for terabytes (a crash, not an error). The
    /// bound is `HDF5Bounds.allocation`'s.
    func checkAllocation(_ field: String, count: Int, size: Int) throws {
        guard fileSize == 0 || HDF5Bounds.allocation(count: count, size: size, fileSize: fileSize) != nil else {
            throw StoreError(file: label, field: field,
                             message: "the HDF5 file is corrupt (\(count) values of \(size) bytes cannot come from a file of \(fileSize) bytes)")
        }
    }

    /// A short name for a stored type, for messages: "float32", "int64", "string", ...
    static func describe(type: hid_t) -> String {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return "float\(size * 8)"
        case H5T_INTEGER:
            return H5Tget_sign(type) == H5T_SGN_NONE ? "uint\(size * 8)" : "int\(size * 8)"
        case H5T_STRING: return H5Tis_variable_str(type) > 0 ? "variable-length string" : "fixed-length string"
        case H5T_COMPOUND: return "compound"
        case H5T_ENUM: return "enum"
        case H5T_ARRAY: return "array"
        case H5T_VLEN: return "variable-length sequence"
        case H5T_OPAQUE: return "opaque"
        case H5T_BITFIELD: return "bitfield"
        case H5T_REFERENCE: return "reference"
        case H5T_TIME: return "time"
        default: return "unknown type"
        }
    }

    /// Whether HDF5 can convert the stored type to a native number.
    static func isNumeric(type: hid_t) -> Bool {
        let cls = H5Tget_class(type)
        return cls == H5T_INTEGER || cls == H5T_FLOAT
    }
}

/// `message`, followed by HDF5's own explanation when its error stack has one.
/// HDF5's I/O failures carry a long multi-line dump (time, descriptor,
/// buffer address, …); only the operation and the system's reason are kept,
/// e.g. "file write failed: No space left on device".
func withHDF5Detail(_ message: String) -> String {
    guard var detail = hdf5ErrorMessage() else { return message }
    if let reason = detail.range(of: "error message = '"),
       let end = detail[reason.upperBound...].firstIndex(of: "'") {
        let operation = detail.prefix { $0 != ":" }
        detail = "\(operation): \(detail[reason.upperBound..<end])"
    }
    return "\(message) (HDF5: \(detail))"
}

/// The innermost message on HDF5's error stack (and clears the stack), or nil
/// when the stack is empty. Must run right after the failing call, before any
/// other HDF5 call (which would reset the stack).
func hdf5ErrorMessage() -> String? {
    var buffer = [CChar](repeating: 0, count: 512)
    let text: String = buffer.withUnsafeMutableBufferPointer { buf in
        irsl_h5_last_error(buf.baseAddress, buf.count)
        return String(cString: buf.baseAddress!)
    }
    return text.isEmpty ? nil : text
}
