import Foundation
import Store

/// The two published ways to split a leaderboard for a scaling-law
/// backtest, so a user need not write a split file:
///
/// - `largest-per-family` (the latent-scaling-law protocol): in every test
///   family, the models at the family's largest parameter count are test
///   models (all of them when sizes tie, so a same-size sibling cannot leak
///   the answer); everything else trains. One fold.
/// - `leave-family-out` (Sloth's protocol): one fold per test family (or
///   group of families held out together); the family's smallest model
///   (parameters, then FLOPs) stays in training, its other models are test
///   models. As in Sloth, only complete models take part (parameters,
///   FLOPs or parameters and tokens, and a response on every benchmark),
///   and families with a single complete model take no part.
///
/// A model counts as a family member when it has parameters and FLOPs (or
/// parameters and tokens) and at least one response (every benchmark, for
/// `leave-family-out`). Test families default to every family
/// with at least 3 such models (`largest-per-family`) or 2
/// (`leave-family-out`), in order of first appearance; `testFamilies`
/// names them instead — for `leave-family-out` each entry is one fold and
/// may join several families with `+` (e.g. `pythia+dolly-v2`).
public enum BacktestProtocol: String, CaseIterable, Sendable {
    case largestPerFamily = "largest-per-family"
    case leaveFamilyOut = "leave-family-out"

    /// - Parameters:
    ///   - responses: per model, on how many benchmarks it has a response;
    ///   - benchmarks: how many benchmarks the file has.
    public func folds(covariates: [ModelCovariates], responses: [Int], benchmarks: Int, testFamilies: [[String]]? = nil) throws -> [SplitFold] {
        let all = covariates.indices.filter { self == .leaveFamilyOut ? responses[$0] == benchmarks : responses[$0] > 0 }
        let counts = all.filter { covariates[$0].params.isFinite && covariates[$0].effectiveFlops.isFinite }
        var order: [String] = [], members: [String: [Int]] = [:]
        for m in counts {
            let f = covariates[m].lawFamily
            if members[f] == nil { order.append(f) }
            members[f, default: []].append(m)
        }
        let minimum = self == .largestPerFamily ? 3 : 2
        let groups = testFamilies ?? order.filter { members[$0]!.count >= minimum }.map { [$0] }
        for group in groups {
            for f in group where members[f] == nil {
                throw LawError("--test-families: no family \"\(f)\" with parameters, FLOPs and responses in the file")
            }
        }
        switch self {
        case .largestPerFamily:
            var test = Set<Int>()
            for f in groups.flatMap({ $0 }) {
                let models = members[f]!
                let largest = models.map { covariates[$0].params }.max()!
                test.formUnion(models.filter { covariates[$0].params == largest })
            }
            return [SplitFold(name: "", train: all.filter { !test.contains($0) }, test: all.filter { test.contains($0) })]
        case .leaveFamilyOut:
            return groups.map { group in
                var test = Set<Int>()
                for f in group {
                    let models = members[f]!
                    let smallest = models.min { a, b in
                        (covariates[a].params, covariates[a].effectiveFlops, a) < (covariates[b].params, covariates[b].effectiveFlops, b)
                    }!
                    test.formUnion(models.filter { $0 != smallest })
                }
                // As Sloth: models without covariates, and families with a
                // single complete model, take no part.
                let train = counts.filter { !test.contains($0) && members[covariates[$0].lawFamily]!.count >= 2 }
                return SplitFold(name: group.joined(separator: "+"), train: train, test: all.filter { test.contains($0) })
            }
        }
    }
}
