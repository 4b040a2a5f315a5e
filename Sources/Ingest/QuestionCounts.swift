import Foundation
import Store

/// `ingest table --questions FILE`: how many questions each benchmark has,
/// a CSV with columns `benchmark,questions` (positive whole numbers).
///
/// Why: a leaderboard score is a fraction of n questions, and when n is
/// known the exact likelihood is the beta-binomial one (successes out of
/// n, the per-question success probability Beta-distributed around the
/// item response curve) rather than a Beta density on the fraction. With
/// the counts, the table becomes a `proportion` file: each score y of a
/// benchmark with n questions is stored as round(y·n) successes out of n
/// trials (`/trials`), which `irsl fit`'s `auto` fits with the
/// beta-binomial likelihood.
public enum QuestionCounts {
    /// Questions per benchmark name.
    public static func read(_ path: String) throws -> [String: Int] {
        let table = try CSVTable(path: path)
        let header = table.header.map { $0.lowercased() }
        guard let b = header.firstIndex(of: "benchmark"), let q = header.firstIndex(of: "questions") else {
            throw StoreError(file: path, field: "line 1", message: "expected the columns benchmark,questions; found \(table.header.joined(separator: ","))")
        }
        var counts: [String: Int] = [:]
        for r in table.rows.indices {
            let name = table.text(r, b)
            guard !name.isEmpty else { throw table.error(r, b, "empty benchmark name") }
            let value = try table.number(r, q)
            guard value.isFinite, value >= 1, value == value.rounded(), value < Double(Int32.max) else {
                throw table.error(r, q, "benchmark \"\(name)\": expected a positive whole number of questions, found '\(table.text(r, q))'")
            }
            guard counts[name] == nil else { throw table.error(r, b, "benchmark \"\(name)\" is listed twice") }
            counts[name] = Int(value)
        }
        return counts
    }
}
