import Foundation
import XCTest

/// The full tier's gate (the rule is in Tests/CalibrationTests/FullTier.swift): the
/// repeated-sampling coverage studies run under `make test` (IRSL_FULL=1), not in the unit tier.
func requireFullTier() throws {
    if ProcessInfo.processInfo.environment["IRSL_FULL"] != "1" { throw XCTSkip("full tier: set IRSL_FULL=1 or run make test") }
}
