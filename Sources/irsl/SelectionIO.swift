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

    /// The ability columns of the score and CAT CSVs: `theta,theta_se` for
    /// K = 1, `theta_1..theta_K,theta_se_1..theta_se_K` for K > 1 (as the fit's abilities CSV).
    static func abilityColumns(_ k: Int) -> [String] {
        k == 1 ? ["theta", "theta_se"] : (1...k).map { "theta_\($0)" } + (1...k).map { "theta_se_\($0)" }
    }

    /// The values of `abilityColumns` (K = 1: `theta`, `se` as given, e.g. the MLE's).
    static func abilityValues(_ e: AbilityEstimate, theta: Double, se: Double) -> [Double] {
        e.thetaVector.isEmpty ? [theta, se] : e.thetaVector + e.seVector
    }

    /// K > 1: the options that describe a one-dimensional ability are refused by name.
    static func refuseScalarAbility(_ bank: ItemBank, fit: String, _ options: [(String, Bool)]) throws {
        guard bank.dims > 1 else { return }
        for (name, given) in options where given {
            throw ValidationError("\(name): \(fit) has K = \(bank.dims) ability dimensions; this option describes a one-dimensional ability (K = 1 only)")
        }
    }

    /// `--level`: a coverage in (0, 1).
    static func checkLevel(_ level: Double) throws {
        guard level > 0, level < 1 else { throw ValidationError("--level: expected a coverage in (0, 1), e.g. 0.9; got \(level)") }
    }
}
