// libFuzzer target: the CSV table reader (Sources/Store/CSVTable.swift, on
// yaslab/CSV.swift) and the tables built on it (subset, forecast and item
// diagnostics CSVs) on arbitrary bytes. Any input must give a table or a
// thrown error; a crash, an out-of-bounds access (AddressSanitizer), a hang
// or a table that breaks CSVTable's own promises is a finding.
// Built by scripts/fuzz.sh with swiftc -sanitize=fuzzer,address.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVTable(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let table = try? CSVTable(data: Data(bytes: data, count: size), path: "fuzz.csv") else { return 0 }
    // The promises: every record as wide as the header, one line number per record, lines increasing past the header's.
    precondition(table.rows.count == table.lines.count, "a line number per record")
    var previous = 1
    for (row, line) in zip(table.rows, table.lines) {
        precondition(row.count == table.header.count, "record width differs from the header's")
        precondition(line > previous, "line numbers must increase")
        previous = line
    }
    for r in table.rows.indices {
        for c in table.header.indices {
            _ = table.location(r, c)
            if let v = try? table.number(r, c), !v.isNaN, !v.isInfinite {
                precondition(Double(table.text(r, c)) == v, "a number cell reads as its text")
            }
        }
    }
    for name in table.header { _ = try? table.doubles(name) }
    _ = try? SubsetTable.parse(table).csv()
    _ = try? ForecastTable.parse(table).csv()
    _ = try? ItemDiagnosticsTable.parse(table)
    return 0
}
