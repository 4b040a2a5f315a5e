import CHDF5
import Foundation

/// Reads every piece of an HDF5 file's structure (superblock, every group
/// and dataset header, every attribute, every dataset's type, shape, filter
/// pipeline and chunk index) and, when asked or when small, its data.
///
/// Why: libhdf5 1.10 trusts the metadata it reads and can crash (segfault)
/// or loop on a corrupted file. irsl runs this in a short-lived child
/// process (`HDF5Guard`, the hidden `irsl __check-hdf5` command) before it
/// opens any file itself, so a crash or hang happens in the child and
/// becomes an error message instead of taking down an MPI job. Everything
/// that libhdf5 would otherwise parse lazily, later, in the parent is
/// touched here first. Sizes are bounded against the file size before any
/// buffer is allocated.
public enum HDF5Check {
    /// What a check found (`HDF5CheckReport`).
    public typealias Report = HDF5CheckReport

    /// Exit codes of the child: 0 sound, 2 damage found, 3 not an HDF5 file at all.
    public enum Exit {
        public static let sound: Int32 = 0
        public static let damaged: Int32 = 2
        public static let notHDF5: Int32 = 3
    }

    /// Datasets up to this size are read whole even in a metadata check (catches checksum errors cheaply).
    public static let smallDataBytes = 32 << 20
    /// Largest block read at once.
    static let blockBytes = 16 << 20

    /// Checks `path`; with `readData`, every dataset's data is read too.
    /// Returns nil when the file is not HDF5 at all (the caller's own open reports that).
    public static func run(_ path: String, readData: Bool) -> Report? {
        ensureHDF5()
        var report = Report()
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let fileSize = Int(st.st_size)
        guard H5Fis_hdf5(path) > 0 else { _ = hdf5ErrorMessage(); return nil }
        let fapl = irsl_h5_file_access_plist()
        defer { if fapl >= 0 { H5Pclose(fapl) } }
        let file = H5Fopen(path, irsl_h5f_acc_rdonly(), fapl)
        guard file >= 0 else {
            report.damage.append(withHDF5Detail("cannot open the HDF5 file"))
            return report
        }
        defer { H5Fclose(file) }

        // Every object: name and type (H5Ovisit walks every group's links and headers).
        final class Objects { var list: [(String, H5O_type_t)] = [] }
        let objects = Objects()
        let visited = withUnsafeMutablePointer(to: &objects.list) { pointer -> herr_t in
            H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, { _, name, info, data in
                let list = data!.assumingMemoryBound(to: [(String, H5O_type_t)].self)
                list.pointee.append((String(cString: name!), info!.pointee.type))
                return list.pointee.count > 1_000_000 ? -1 : 0
            }, pointer, UInt32(H5O_INFO_BASIC))
        }
        guard visited >= 0 else {
            report.damage.append(withHDF5Detail("cannot walk the groups and objects"))
            return report
        }
        for (name, type) in objects.list {
            let field = name == "." ? "/" : "/" + name
            let object = H5Oopen(file, field == "/" ? "/" : field, irsl_h5p_default())
            guard object >= 0 else {
                report.damage.append("\(field): " + withHDF5Detail("cannot open the object"))
                continue
            }
            defer { H5Oclose(object) }
            checkAttributes(object, field: field, fileSize: fileSize, report: &report)
            switch type {
            case H5O_TYPE_GROUP: report.groups += 1
            case H5O_TYPE_DATASET:
                report.datasets += 1
                checkDataset(object, field: field, fileSize: fileSize, readData: readData, report: &report)
            default: break
            }
        }
        return report
    }

    /// Where the stored chunks of `dataset` lie in the file (byte ranges),
    /// e.g. for tests that damage data but not metadata. Empty when the
    /// dataset is not chunked or cannot be read. Use on sound files only.
    public static func chunkByteRanges(_ path: String, dataset: String) -> [Range<Int>] {
        ensureHDF5()
        let file = H5Fopen(path, irsl_h5f_acc_rdonly(), irsl_h5p_default())
        guard file >= 0 else { return [] }
        defer { H5Fclose(file) }
        let ds = H5Dopen2(file, dataset, irsl_h5p_default())
        guard ds >= 0 else { return [] }
        defer { H5Dclose(ds) }
        let space = H5Dget_space(ds)
        guard space >= 0 else { return [] }
        defer { H5Sclose(space) }
        var chunks: hsize_t = 0
        guard H5Dget_num_chunks(ds, space, &chunks) >= 0 else { return [] }
        var offset = [hsize_t](repeating: 0, count: 8)
        return (0..<Int(chunks)).compactMap { index in
            var mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
            guard H5Dget_chunk_info(ds, space, hsize_t(index), &offset, &mask, &address, &size) >= 0,
                  address != irsl_haddr_undef() else { return nil }
            return Int(address)..<(Int(address) + Int(size))
        }
    }

    // MARK: - Attributes

    private static func checkAttributes(_ object: hid_t, field: String, fileSize: Int, report: inout Report) {
        var info = H5O_info_t()
        guard H5Oget_info2(object, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
            report.damage.append("\(field): " + withHDF5Detail("cannot read the object header"))
            return
        }
        guard HDF5Bounds.plausibleCount(UInt64(info.num_attrs), fileSize: fileSize) else {
            report.damage.append("\(field): claims \(info.num_attrs) attributes in a file of \(fileSize) bytes")
            return
        }
        for index in 0..<Int(info.num_attrs) {
            let attribute = H5Aopen_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index),
                                           irsl_h5p_default(), irsl_h5p_default())
            guard attribute >= 0 else {
                report.damage.append("\(field): " + withHDF5Detail("cannot open attribute \(index)"))
                continue
            }
            defer { H5Aclose(attribute) }
            report.attributes += 1
            var nameBuffer = [CChar](repeating: 0, count: 256)
            _ = H5Aget_name(attribute, nameBuffer.count, &nameBuffer)
            let label = (field == "/" ? "" : field) + "@" + String(cString: nameBuffer)
            let type = H5Aget_type(attribute), space = H5Aget_space(attribute)
            defer {
                if type >= 0 { H5Tclose(type) }
                if space >= 0 { H5Sclose(space) }
            }
            guard type >= 0, space >= 0 else {
                report.damage.append("\(label): " + withHDF5Detail("cannot read the attribute's type or dataspace"))
                continue
            }
            if let problem = readValues(type: type, space: space, fileSize: fileSize,
                                        read: { memoryType, buffer in H5Aread(attribute, memoryType, buffer) }) {
                report.damage.append("\(label): \(problem)")
            }
        }
    }

    // MARK: - Datasets

    private static func checkDataset(_ ds: hid_t, field: String, fileSize: Int, readData: Bool, report: inout Report) {
        let type = H5Dget_type(ds), space = H5Dget_space(ds), dcpl = H5Dget_create_plist(ds)
        defer {
            if type >= 0 { H5Tclose(type) }
            if space >= 0 { H5Sclose(space) }
            if dcpl >= 0 { H5Pclose(dcpl) }
        }
        guard type >= 0, space >= 0, dcpl >= 0 else {
            report.damage.append("\(field): " + withHDF5Detail("cannot read the datatype, dataspace or layout"))
            return
        }
        let dims = H5File.dimensions(of: space)
        let elementSize = H5Tget_size(type)
        guard HDF5Bounds.plausibleElementSize(elementSize, fileSize: fileSize) else {
            report.damage.append("\(field): element size \(elementSize) bytes is impossible in a file of \(fileSize) bytes")
            return
        }
        // The filter pipeline (each filter's parameters are metadata too).
        let filters = Int(H5Pget_nfilters(dcpl))
        guard filters >= 0, filters <= 32 else {
            report.damage.append("\(field): " + withHDF5Detail("cannot read the filter pipeline"))
            return
        }
        for index in 0..<filters {
            var flags: UInt32 = 0, count = 8, config: UInt32 = 0
            var values = [UInt32](repeating: 0, count: 8)
            var name = [CChar](repeating: 0, count: 64)
            let filter = H5Pget_filter2(dcpl, UInt32(index), &flags, &count, &values, name.count, &name, &config)
            if filter == H5Z_FILTER_FLETCHER32 { report.checksummed.append(field) }
            if filter < 0 { report.damage.append("\(field): " + withHDF5Detail("cannot read filter \(index)")) }
        }
        let layout = H5Pget_layout(dcpl)
        if layout == H5D_CHUNKED {
            // Walk the chunk index (B-tree, fixed or extensible array): every chunk must lie inside the file.
            var chunks: hsize_t = 0
            guard H5Dget_num_chunks(ds, space, &chunks) >= 0 else {
                report.damage.append("\(field): " + withHDF5Detail("cannot read the chunk index"))
                return
            }
            guard HDF5Bounds.plausibleCount(UInt64(chunks), fileSize: fileSize) else {
                report.damage.append("\(field): claims \(chunks) chunks in a file of \(fileSize) bytes")
                return
            }
            var offset = [hsize_t](repeating: 0, count: max(dims.count, 1))
            for index in 0..<Int(chunks) {
                var mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
                guard H5Dget_chunk_info(ds, space, hsize_t(index), &offset, &mask, &address, &size) >= 0 else {
                    report.damage.append("\(field): " + withHDF5Detail("cannot read chunk \(index) of the index"))
                    return
                }
                if !HDF5Bounds.inside(address: UInt64(address), length: UInt64(size), fileSize: fileSize,
                                      undefined: UInt64(irsl_haddr_undef())) {
                    report.damage.append("\(field): chunk \(index) lies outside the file (address \(address), \(size) bytes, file \(fileSize) bytes)")
                    return
                }
            }
        } else if layout == H5D_CONTIGUOUS {
            let address = H5Dget_offset(ds)
            let bytes = HDF5Bounds.shapeBytes(dims, elementSize: elementSize).map(UInt64.init) ?? .max
            if !HDF5Bounds.inside(address: UInt64(address), length: bytes, fileSize: fileSize,
                                  undefined: UInt64(irsl_haddr_undef())) {
                report.damage.append("\(field): its data (\(bytes == .max ? "an overflowing number of" : "\(bytes)") bytes at \(address)) lies outside the file of \(fileSize) bytes")
                return
            }
        } else if layout.rawValue < 0 {
            report.damage.append("\(field): " + withHDF5Detail("cannot read the layout"))
            return
        }
        // The data: whole when small or when asked, in blocks of leading-dimension slabs.
        guard let total = HDF5Bounds.shapeBytes(dims, elementSize: elementSize) else {
            report.damage.append("\(field): shape \(dims) overflows")
            return
        }
        guard readData || total <= smallDataBytes else {
            report.skippedData.append(field)
            return
        }
        if let problem = readDataset(ds, type: type, space: space, dims: dims, fileSize: fileSize) {
            report.damage.append("\(field): \(problem)")
        } else {
            report.bytesRead += total
        }
    }

    /// Reads a dataset in slabs of whole leading-dimension rows (at most `blockBytes` each).
    private static func readDataset(_ ds: hid_t, type: hid_t, space: hid_t, dims: [Int], fileSize: Int) -> String? {
        guard let first = dims.first, first > 0 else {
            return readValues(type: type, space: space, fileSize: fileSize) { memoryType, buffer in
                H5Dread(ds, memoryType, irsl_h5s_all(), irsl_h5s_all(), irsl_h5p_default(), buffer)
            }
        }
        guard !dims.dropFirst().contains(0) else { return nil }
        guard let rowsPerBlock = HDF5Bounds.rowsPerBlock(dims, elementSize: H5Tget_size(type), blockBytes: blockBytes) else {
            return "shape \(dims) overflows"
        }
        var start = 0
        while start < first {
            let count = min(rowsPerBlock, first - start)
            var offset = [hsize_t](repeating: 0, count: dims.count), extent = dims.map { hsize_t($0) }
            offset[0] = hsize_t(start)
            extent[0] = hsize_t(count)
            let fileSpace = H5Scopy(space)
            let memorySpace = H5Screate_simple(Int32(dims.count), extent, nil)
            defer {
                if fileSpace >= 0 { H5Sclose(fileSpace) }
                if memorySpace >= 0 { H5Sclose(memorySpace) }
            }
            guard fileSpace >= 0, memorySpace >= 0,
                  H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, offset, nil, extent, nil) >= 0 else {
                return withHDF5Detail("cannot select rows \(start)..<\(start + count)")
            }
            let problem = readValues(type: type, space: memorySpace, fileSize: fileSize) { memoryType, buffer in
                H5Dread(ds, memoryType, memorySpace, fileSpace, irsl_h5p_default(), buffer)
            }
            if let problem { return "rows \(start)..<\(start + count): \(problem)" }
            start += count
        }
        return nil
    }

    /// Reads every element described by `space` through `read` into a
    /// bounded buffer, as variable-length strings (reclaimed) or as the
    /// native form of the stored type. Returns a problem, or nil.
    private static func readValues(type: hid_t, space: hid_t, fileSize: Int,
                                   read: (hid_t, UnsafeMutableRawPointer) -> herr_t) -> String? {
        let points = Int(H5Sget_select_npoints(space))
        guard points >= 0 else { return withHDF5Detail("cannot read the dataspace") }
        guard points > 0 else { return nil }
        let isVariableString = H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0
        let memoryType: hid_t
        if isVariableString {
            memoryType = H5Tcopy(irsl_h5t_c_s1())
            if memoryType >= 0 {
                H5Tset_size(memoryType, irsl_h5t_variable())
                H5Tset_cset(memoryType, H5Tget_cset(type))
            }
        } else if H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tget_class(type) == H5T_REFERENCE {
            return nil  // not a type irsl uses; its structure was read with the header
        } else {
            memoryType = H5Tget_native_type(type, H5T_DIR_DEFAULT)
        }
        guard memoryType >= 0 else { return withHDF5Detail("cannot make a memory type") }
        defer { H5Tclose(memoryType) }
        let size = isVariableString ? MemoryLayout<UnsafeMutableRawPointer?>.size : H5Tget_size(memoryType)
        guard let bytes = HDF5Bounds.allocation(count: points, size: size, fileSize: fileSize) else {
            return "\(points) values of \(size) bytes cannot come from a file of \(fileSize) bytes"
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        defer { buffer.deallocate() }
        memset(buffer, 0, bytes)
        guard read(memoryType, buffer) >= 0 else { return withHDF5Detail("cannot read the data").replacingFletcher() }
        if isVariableString {
            var longest = 0
            let pointers = buffer.assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
            for i in 0..<points { if let p = pointers[i] { longest = max(longest, strlen(p)) } }
            irsl_h5_reclaim_vlen(memoryType, space, buffer)
            if longest > fileSize { return "a string of \(longest) bytes cannot come from a file of \(fileSize) bytes" }
        }
        return nil
    }
}

extension String {
    /// HDF5's words for a failed Fletcher32 check, said plainly.
    func replacingFletcher() -> String {
        lowercased().contains("fletcher32") || lowercased().contains("checksum")
            ? "checksum mismatch: the data is damaged (\(self))" : self
    }
}
