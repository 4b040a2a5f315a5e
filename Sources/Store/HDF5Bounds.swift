/// The limits on sizes read from an HDF5 file, checked before irsl allocates
/// or reads anything: dimensions, element sizes, counts of attributes and
/// chunks, chunk and data addresses, string widths.
///
/// Why a file of its own, without libhdf5: these checks are what stands
/// between a corrupted number in a file and a terabyte allocation or an
/// arithmetic trap, so they are plain functions of the numbers that the
/// libFuzzer target `fuzz/HDF5BoundsFuzz.swift` can drive with arbitrary
/// values. `HDF5Check` (the child process's walk) and `H5File` (the reads)
/// both use them. Every function takes the raw width the library reports
/// (`hsize_t`, `haddr_t` are UInt64) and never traps.
public enum HDF5Bounds {
    /// The most bytes irsl allocates for data read from a file of
    /// `fileSize` bytes: 64 × the file size, at least 256 MiB, so
    /// compressed or sparse data still reads but a corrupted dimension
    /// cannot ask for terabytes.
    public static func allocationLimit(fileSize: Int) -> Int {
        max(256 << 20, max(fileSize, 0).multipliedReportingOverflow(by: 64).partialValue)
    }

    /// Bytes that `count` values of `size` bytes take, or nil when that
    /// overflows or exceeds `allocationLimit(fileSize:)`. A `size` below 1
    /// counts as 1; a negative `count` is refused.
    public static func allocation(count: Int, size: Int, fileSize: Int) -> Int? {
        guard count >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(size, 1))
        guard !overflow, bytes <= allocationLimit(fileSize: fileSize) else { return nil }
        return bytes
    }

    /// A dimension (or count) as an `Int`, saturating at `Int.max`: a value
    /// beyond it cannot be real, and saturating keeps every later product
    /// check (which then overflows and refuses) free of traps.
    public static func int(_ value: UInt64) -> Int { value > UInt64(Int.max) ? Int.max : Int(value) }

    /// Bytes of a dataset of shape `dims` with elements of `elementSize`
    /// bytes, or nil when the product overflows or a value is negative.
    public static func shapeBytes(_ dims: [Int], elementSize: Int) -> Int? {
        guard elementSize >= 0 else { return nil }
        var bytes = elementSize
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            bytes = p
        }
        return bytes
    }

    /// Whether `length` bytes at `address` lie inside a file of `fileSize`
    /// bytes. `undefined` (HDF5's `HADDR_UNDEF`) means "not allocated yet",
    /// which is sound.
    public static func inside(address: UInt64, length: UInt64, fileSize: Int, undefined: UInt64 = .max) -> Bool {
        if address == undefined { return true }
        let end = UInt64(max(fileSize, 0))
        return address <= end && length <= end - address
    }

    /// Whether an element of `size` bytes can come from a file of `fileSize`
    /// bytes (a type larger than the file, or than 64 KiB for small files, is corrupt).
    public static func plausibleElementSize(_ size: Int, fileSize: Int) -> Bool {
        size > 0 && size <= max(fileSize, 1 << 16)
    }

    /// Whether a file of `fileSize` bytes can hold `count` attributes or
    /// chunks (each takes at least a byte of metadata).
    public static func plausibleCount(_ count: UInt64, fileSize: Int) -> Bool {
        count <= UInt64(max(fileSize, 1024))
    }

    /// How many leading-dimension rows of a dataset of shape `dims` (elements
    /// of `elementSize` bytes) one read of at most `blockBytes` takes: at
    /// least 1. Nil when a row's size overflows.
    public static func rowsPerBlock(_ dims: [Int], elementSize: Int, blockBytes: Int) -> Int? {
        guard let rowBytes = shapeBytes(Array(dims.dropFirst()), elementSize: max(elementSize, 1)) else { return nil }
        return max(1, blockBytes / max(rowBytes, 1))
    }

    /// The strings of a fixed-length string dataset read as raw bytes:
    /// `bytes.count / width` elements of `width` bytes, each cut at its
    /// first NUL and, when space-padded, stripped of trailing spaces.
    /// Invalid UTF-8 becomes U+FFFD (a corrupted name reads as text, and its
    /// checksum attribute then reports the damage).
    public static func fixedLengthStrings(_ bytes: UnsafeRawBufferPointer, width: Int, spacePadded: Bool) -> [String] {
        guard width > 0 else { return [] }
        return (0..<(bytes.count / width)).map { index in
            var element = bytes[(index * width)..<((index + 1) * width)]
            if let nul = element.firstIndex(of: 0) { element = element[..<nul] }
            if spacePadded {
                while let last = element.last, last == 0x20 { element = element.dropLast() }
            }
            return String(decoding: element, as: UTF8.self)
        }
    }
}
