/// Where a multiple-choice task keeps the index of its correct choice.
///
/// Why this is a rule per task and not one field: the harness logs
/// `target = doc_to_target(doc)`, which is the gold *index* for most
/// multiple-choice tasks (arc, hellaswag, mmlu: `"3"` or `3`), but
/// winogrande scores the shared continuation after two different contexts,
/// so its `target` is that continuation text and the gold is
/// `doc.answer` ("1" or "2") minus one; truthfulqa mc1 always lists the
/// correct answer first (gold 0). A wrong gold index would silently turn
/// every probability into the probability of a wrong answer, so the parser
/// check in the tests (`acc == 1` exactly when the gold choice has the
/// highest log-likelihood) guards these rules.
public enum GoldRule: Equatable, CustomStringConvertible {
    /// The integer in `target` (a number, a numeric string, or a one-element list).
    case target
    /// `doc.answer` minus one (winogrande: answer "1" or "2").
    case docAnswerMinusOne
    /// Always choice 0 (truthfulqa mc1); an integer `target`, when present, must agree.
    case firstChoice
    /// A task with several correct choices (truthfulqa mc2): not a single-gold item.
    case unsupported(String)

    /// The rule for a task name as the harness writes it in the file name
    /// (`winogrande`, `metabench_winogrande_secondary`, `truthfulqa_mc1`, ...).
    public static func forTask(_ task: String) -> GoldRule {
        let name = task.lowercased()
        if name.contains("winogrande") { return .docAnswerMinusOne }
        if name.contains("truthfulqa") {
            if name.contains("mc2") {
                return .unsupported("truthfulqa mc2 has several correct choices, so there is no single gold choice to score")
            }
            return .firstChoice
        }
        return .target
    }

    public var description: String {
        switch self {
        case .target: return "the integer in target"
        case .docAnswerMinusOne: return "doc.answer minus one"
        case .firstChoice: return "choice 0"
        case .unsupported(let why): return "unsupported (\(why))"
        }
    }
}
