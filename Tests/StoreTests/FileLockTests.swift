import Foundation
import XCTest
import Store

/// The exclusive lock beside a file that several processes update in turn.
final class FileLockTests: StoreTestCase {
    func testSecondHolderWaitsAndIsToldWhoHoldsTheLock() throws {
        let target = path("all.h5")
        let first = try FileLock(exclusiveOn: target)
        XCTAssertEqual(first.path, target + ".lock")
        // Events, not the clock: the first holder releases once the second says it waits, and the
        // second must acquire only after that release.
        let waiting = expectation(description: "second lock waiting")
        let acquired = expectation(description: "second lock acquired")
        let messages = LockedMessages(), events = LockedMessages()
        DispatchQueue.global().async {
            // flock locks belong to an open file description: a second FileLock contends even in one process.
            let second = try? FileLock(exclusiveOn: target, waiting: { messages.append($0); waiting.fulfill() })
            XCTAssertNotNil(second)
            events.append("acquired")
            second?.release()
            acquired.fulfill()
        }
        wait(for: [waiting], timeout: 10)
        events.append("released")
        first.release()
        wait(for: [acquired], timeout: 10)
        XCTAssertEqual(events.all, ["released", "acquired"], "acquired only after the release")
        XCTAssertEqual(messages.all.count, 1)
        XCTAssertTrue(messages.all.first?.hasPrefix("waiting for the lock on \(target) held by pid \(getpid())") ?? false,
                      "\(messages.all)")
    }

    func testUncontendedLockSaysNothing() throws {
        let messages = LockedMessages()
        let value = try withExclusiveLock(on: path("x.h5"), waiting: { messages.append($0) }) { 42 }
        XCTAssertEqual(value, 42)
        XCTAssertEqual(messages.all, [])
        XCTAssertEqual(try listing(), ["x.h5.lock"], "the lock file stays (removing it would break mutual exclusion)")
    }

    func testUnwritableDirectoryIsAnErrorNamingTheTarget() {
        let target = path("absent/dir/all.h5")
        assertStoreError([target, "cannot create the lock file"]) { try FileLock(exclusiveOn: target) }
    }
}

final class LockedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
