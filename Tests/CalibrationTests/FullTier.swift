import Foundation
import XCTest

/// The full tier: the long recoveries and the K ≥ 2 kernel sweeps.
/// `make test` (CI) sets IRSL_FULL=1 and runs them; the unit tier (`make
/// test-unit`, a plain `swift test`) skips them with this message, which
/// scripts/test-summary.sh refuses under `make test`.
func requireFullTier() throws {
    guard ProcessInfo.processInfo.environment["IRSL_FULL"] == "1" else {
        throw XCTSkip("full tier: set IRSL_FULL=1 or run make test (a long study, skipped by the unit tier)")
    }
}
