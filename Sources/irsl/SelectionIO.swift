import ArgumentParser
import Selection

/// Shared by the selection commands: reading a fit as an item bank.
enum SelectionIO {
    static func bank(_ path: String) throws -> ItemBank {
        try ItemBank.read(fit: path).bank
    }

    /// `s` padded with spaces to `width` characters (left-aligned unless `right`).
    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(width - s.count, 1))
        return right ? fill + s : s + fill
    }

    /// `--level`: a coverage in (0, 1).
    static func checkLevel(_ level: Double) throws {
        guard level > 0, level < 1 else { throw ValidationError("--level: expected a coverage in (0, 1), e.g. 0.9; got \(level)") }
    }
}
