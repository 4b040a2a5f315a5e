/// The gold choice of a multiple-choice record, by the task's `GoldRule`:
/// apart from the JSON walk because it is the one place task knowledge
/// (which field holds the answer, and in which base) meets the record.
extension HarnessRecordParser {
    func gold(target: Int?, targetDescription: String, docAnswer: Int?, docAnswerText: String?,
                      choices: Int) throws -> Int {
        let gold: Int
        let source: String
        switch goldRule {
        case .target:
            guard let target else {
                throw HarnessRecordError(field: "target",
                                         message: "expected the gold choice index (task \(task)), found \(targetDescription)")
            }
            gold = target
            source = "target"
        case .docAnswerMinusOne:
            guard let docAnswer else {
                throw HarnessRecordError(field: "doc.answer",
                                         message: "expected the 1-based gold option (\"1\" or \"2\") for task \(task), found \(docAnswerText ?? "nothing")")
            }
            gold = docAnswer - 1
            source = "doc.answer"
        case .firstChoice:
            if let target, target != 0 {
                throw HarnessRecordError(field: "target",
                                         message: "task \(task) lists the correct answer first (gold 0), but target is \(target)")
            }
            gold = 0
            source = "rule"
        case .unsupported(let why):
            throw HarnessRecordError(field: "task", message: "\(task): \(why)")
        }
        guard gold >= 0 && gold < choices else {
            throw HarnessRecordError(field: source == "rule" ? "target" : source,
                                     message: "gold choice \(gold) is outside the \(choices) choices (0…\(choices - 1))")
        }
        return gold
    }
}
