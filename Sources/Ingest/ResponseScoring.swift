import Foundation
import Store

/// How a harness record becomes one number of the response matrix.
///
/// Why two kinds: a 0/1 correctness (`binary`, Bernoulli likelihood) throws
/// away how close a model came; the probability of the gold choice under
/// the model (`probability`, Beta likelihood) keeps it, which is what makes
/// small models and hard items informative. The harness logs the
/// log-likelihood of each choice, so the probability is a softmax over the
/// choices: p = exp(ll_gold) / Σ_k exp(ll_k), computed with the maximum
/// subtracted so it never overflows. `lengthNormalised` divides each
/// log-likelihood by the choice's length in characters first, the
/// `acc_norm` variant that removes the preference for short answers.
///
/// Generation tasks (gsm8k) have no choices: their value is the logged
/// `exact_match` (0 or 1) in either mode, and their chance level is 0.
/// A task with `repeats: k` (k answers per doc) scored per answer, either
/// as a list of k per-repeat values or by a filter that keeps all k answers
/// (lm-eval's `exact_match` over a list of predictions is then their mean),
/// gives the fraction correct out of k trials (`trials`); a filter that
/// reduces the k answers to one (`take_first`, `majority_vote`) gives one
/// 0/1 value, as for any other doc.
public struct ResponseScoring {
    public enum Mode: String, CaseIterable {
        /// `acc` (multiple-choice) or `exact_match` (generation): 0 or 1.
        case binary
        /// The softmax probability of the gold choice (multiple-choice); 0/1 for generation.
        case probability
    }

    public var mode: Mode
    /// Probability mode only: normalise log-likelihoods by choice length (acc_norm style).
    public var lengthNormalised: Bool

    public init(mode: Mode, lengthNormalised: Bool = false) {
        self.mode = mode
        self.lengthNormalised = lengthNormalised
    }

    /// The response kind recorded in the file (`response_kind`).
    public var responseKind: ResponseKind { mode == .binary ? .binary : .probability }

    /// Whether records must carry continuation lengths.
    public var needsContinuationLengths: Bool { mode == .probability && lengthNormalised }

    /// The matrix entry for `record`. Throws `HarnessRecordError` naming the
    /// metric that is missing or out of range.
    public func value(_ record: HarnessRecord) throws -> Float {
        switch record.kind {
        case .generation:
            guard let score = record.exactMatch ?? record.acc else {
                throw HarnessRecordError(field: "exact_match", message: "missing: a generation task needs exact_match (or acc)")
            }
            let name = record.exactMatch != nil ? "exact_match" : "acc"
            let k = Double(trials(record))
            guard k > 1 else { return try zeroOrOne(score, name) }
            let successes = score * k
            guard score >= 0, score <= 1, abs(successes - successes.rounded()) < 1e-6 else {
                throw HarnessRecordError(field: name, message: "expected the fraction of the \(Int(k)) scored answers (repeats) "
                                         + "that are correct, a multiple of 1/\(Int(k)); found \(score)")
            }
            return Float(score)
        case .multipleChoice:
            switch mode {
            case .binary:
                if let acc = record.acc { return try zeroOrOne(acc, "acc") }
                return record.argmaxChoice == record.gold ? 1 : 0
            case .probability:
                let p = lengthNormalised
                    ? ResponseScoring.goldProbability(record.loglikelihoods, gold: record.gold,
                                                      lengths: record.continuationLengths)
                    : ResponseScoring.goldProbability(record.loglikelihoods, gold: record.gold)
                guard p.isFinite else {
                    throw HarnessRecordError(field: "filtered_resps",
                                             message: "the log-likelihoods give no probability (all -infinity?)")
                }
                return Float(p)
            }
        }
    }

    /// The answers behind `record`'s value: k for a generation doc whose k
    /// repeats were each scored (a list-valued `exact_match`, or a filter
    /// that kept the k answers), else 1.
    public func trials(_ record: HarnessRecord) -> Int32 {
        guard record.kind == .generation else { return 1 }
        if record.exactMatch != nil && record.exactMatchCount > 1 { return Int32(record.exactMatchCount) }
        return Int32(max(record.keptAnswers, 1))
    }

    /// Softmax probability of `gold` over `loglikelihoods` (each divided by
    /// its length, at least 1, when `lengths` is given).
    public static func goldProbability(_ loglikelihoods: [Double], gold: Int, lengths: [Int]? = nil) -> Double {
        var scores = loglikelihoods
        if let lengths {
            for k in scores.indices { scores[k] /= Double(max(lengths[k], 1)) }
        }
        let top = scores.max() ?? -.infinity
        guard top.isFinite else { return .nan }  // every choice -inf (or a +inf): no distribution
        var total = 0.0
        for v in scores { total += exp(v - top) }
        return exp(scores[gold] - top) / total
    }

    private func zeroOrOne(_ value: Double, _ field: String) throws -> Float {
        guard value == 0 || value == 1 else {
            throw HarnessRecordError(field: field, message: "expected 0 or 1, found \(value)")
        }
        return Float(value)
    }
}
