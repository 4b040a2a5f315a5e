// libFuzzer target: the in-process size and bounds checks that stand between
// numbers read from an HDF5 file and an allocation or a read
// (Sources/Store/HDF5Bounds.swift), the fixed-length string decoding, and
// the decoding of the guard child's report (Sources/Store/HDF5CheckReport.swift).
// libhdf5 itself is not fuzzed here (it crashes on corrupted metadata by
// design; the child-process guard contains that): the input's bytes are the
// values a corrupted file could make the library report. A trap (overflow,
// out-of-bounds), an ASan finding, or an accepted size that breaks the
// promised bound is a finding. Built by scripts/fuzz.sh.

/// Reads little-endian fields off the front of the input.
struct Fields {
    var bytes: UnsafeRawBufferPointer
    mutating func u64() -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<min(8, bytes.count) { v |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        bytes = UnsafeRawBufferPointer(rebasing: bytes[min(8, bytes.count)...])
        return v
    }
    mutating func byte() -> Int {
        guard let b = bytes.first else { return 0 }
        bytes = UnsafeRawBufferPointer(rebasing: bytes[1...])
        return Int(b)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHDF5Bounds(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var f = Fields(bytes: UnsafeRawBufferPointer(start: data, count: size))
    let fileSize = HDF5Bounds.int(f.u64() >> UInt64(f.byte() % 64))
    let rank = f.byte() % 6
    let dims = (0..<rank).map { _ in HDF5Bounds.int(f.u64() >> UInt64(f.byte() % 64)) }
    let elementSize = HDF5Bounds.int(f.u64() >> UInt64(f.byte() % 64))
    let address = f.u64(), length = f.u64() >> UInt64(f.byte() % 64)
    let limit = HDF5Bounds.allocationLimit(fileSize: fileSize)
    precondition(limit >= 256 << 20)

    // Shape → bytes: exact when accepted (checked against full-width products).
    if let total = HDF5Bounds.shapeBytes(dims, elementSize: elementSize) {
        var check = (high: 0, low: UInt(elementSize))
        for d in dims {
            precondition(check.high == 0)
            let p = check.low.multipliedFullWidth(by: UInt(d))
            check = (Int(p.high), p.low)
        }
        precondition(check.high == 0 && check.low == UInt(total), "shapeBytes differs from the exact product")
        // An accepted allocation is within the limit, and is really made (a small one, to keep runs fast).
        let count = dims.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        if let bytes = HDF5Bounds.allocation(count: count, size: elementSize, fileSize: fileSize) {
            precondition(bytes <= limit && bytes == count * max(elementSize, 1), "allocation beyond the bound")
            let n = min(bytes, 1 << 12)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 16)
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: n)
            buffer.deallocate()
        }
        if let rows = HDF5Bounds.rowsPerBlock(dims, elementSize: elementSize, blockBytes: 16 << 20) {
            precondition(rows >= 1)
        }
    }
    // Ranges: accepted ones end inside the file (full-width sum).
    if HDF5Bounds.inside(address: address, length: length, fileSize: fileSize), address != .max {
        let (end, overflow) = address.addingReportingOverflow(length)
        precondition(!overflow && end <= UInt64(fileSize), "a range outside the file accepted")
    }
    _ = HDF5Bounds.plausibleElementSize(elementSize, fileSize: fileSize)
    _ = HDF5Bounds.plausibleCount(length, fileSize: fileSize)

    // The rest of the input: fixed-length strings of a width taken from it, and the child's report text.
    let width = f.byte() % 40
    let padded = f.byte() % 2 == 1
    let strings = HDF5Bounds.fixedLengthStrings(f.bytes, width: width, spacePadded: padded)
    precondition(width == 0 ? strings.isEmpty : strings.count == f.bytes.count / width, "one string per element")
    for s in strings { precondition(s.unicodeScalars.count <= width, "a string wider than its element") }
    let report = HDF5CheckReport(encoded: String(decoding: f.bytes, as: UTF8.self))
    precondition(HDF5CheckReport(encoded: report.encoded) == report, "the report does not survive its own encoding")
    return 0
}
