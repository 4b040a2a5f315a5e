import Foundation
import Ingest
import XCTest

/// The progress line's content (files, MB, rate, ETA) and its sizing of the input.
final class IngestProgressTests: IngestTestCase {
    func testLineShowsFilesMegabytesRateAndETA() throws {
        let progress = IngestProgress(totalBytes: 400_000_000, force: false)
        XCTAssertEqual(progress.text(files: 3, totalFiles: 8, bytes: 100_000_000, elapsed: 0.5),
                       "ingest: 3/8 files, 100.0/400.0 MB, 200 MB/s, ETA 2 s")
        XCTAssertEqual(progress.text(files: 0, totalFiles: 8, bytes: 0, elapsed: 0),
                       "ingest: 0/8 files, 0.0/400.0 MB, 0 MB/s, ETA ?")
    }

    func testTotalBytesCountsRegularFilesUnderPaths() throws {
        let a = try write("d/a.json", String(repeating: "x", count: 1000))
        try write("d/sub/b.eval", String(repeating: "y", count: 234))
        XCTAssertEqual(IngestProgress.bytes(under: [directory.appendingPathComponent("d").path]), 1234)
        XCTAssertEqual(IngestProgress.bytes(under: [a, path("missing")]), 1000)
    }
}
