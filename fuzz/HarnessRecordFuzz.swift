// libFuzzer target: the ingest JSONL scanner and the lm-evaluation-harness
// record parser (Sources/Ingest/JSONScanner*.swift, HarnessRecordParser*.swift)
// on arbitrary bytes. Any input must give a record or a thrown error: a
// crash, an out-of-bounds access (AddressSanitizer) or a hang is a finding.
// Built by scripts/fuzz.sh with swiftc -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHarnessRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The whole input as one line, through the parser of a multiple-choice and a generation task.
    for task in ["arc_easy", "gsm8k"] {
        var parser = HarnessRecordParser(task: task, readsContinuationLengths: true)
        _ = try? parser.parse(bytes)
    }
    // And through the bare scanner: skip every value until the end.
    var scanner = JSONScanner(bytes)
    while !scanner.atEnd() {
        guard (try? scanner.skipValue()) != nil else { break }
    }
    return 0
}
