import Foundation
import Store

/// `irsl info --verify FILE`: the whole file read back in the guarded child
/// (structure, attributes and every dataset's data; Fletcher32 checksums
/// where irsl wrote them). Prints OK or each damaged dataset; exits 1 when damaged.
func verifyFile(_ file: String) throws {
    guard let report = try HDF5Guard.verify(file, label: file) else {
        _ = try H5File(file, mode: .readOnly)  // reports "no such file" / "not an HDF5 file"
        throw StoreError(file: file, field: "", message: "not an HDF5 file")
    }
    let checksums = report.checksummed.isEmpty
        ? "no checksummed datasets (data damage cannot be detected)"
        : "\(report.checksummed.count) of \(report.datasets) datasets checksummed (Fletcher32)"
    let summary = "\(report.datasets) datasets, \(report.attributes) attributes, "
        + (report.bytesRead < 1_000_000 ? String(format: "%.1f kB", Double(report.bytesRead) / 1e3)
            : String(format: "%.1f MB", Double(report.bytesRead) / 1e6)) + " of data read; " + checksums
    guard report.damage.isEmpty else {
        for line in report.damage { print("\(file): DAMAGED: \(line)") }
        throw StoreError(file: file, field: "", message: "damaged: \(report.damage.count) problem(s) found (\(summary))")
    }
    print("\(file): OK (\(summary))")
}
