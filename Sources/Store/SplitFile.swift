import Foundation

/// One train/test split of the models of a response file (row indices).
public struct SplitFold: Sendable, Equatable {
    public var name: String
    public var train: [Int]
    public var test: [Int]

    public init(name: String, train: [Int], test: [Int]) {
        self.name = name; self.train = train; self.test = test
    }
}

/// `SPLIT.csv`, the models' roles for `irsl backtest` and
/// `irsl evaluate-subset`: columns `model` (or `name`) and `role` (`train`
/// or `test`, any case), and an optional `fold`: each distinct fold is an
/// independent split, which is how a leave-one-family-out protocol runs in
/// one command. Models of the response file the split does not list take no
/// part. Written by hand or by a script; irsl only reads it.
public struct SplitFile: Sendable {
    public enum Role: String, Sendable { case train, test }

    /// One record, resolved against the response file's model names.
    public struct Entry: Sendable, Equatable {
        /// Row of the model in the response file.
        public var model: Int
        public var role: Role
        /// The fold, "" without a `fold` column.
        public var fold: String
        /// The line of the record, for error messages.
        public var line: Int
    }

    public let path: String
    public let entries: [Entry]
    /// Header names of the model and role columns as written (for messages).
    public let modelColumn: String, roleColumn: String

    /// Reads the split and resolves its names against `modelNames` (the
    /// response file's `/models/name`, named `responsesPath` in messages).
    /// Errors name the file, the column and the line: unknown models and
    /// roles, missing columns.
    public init(path: String, modelNames: [String], responsesPath: String? = nil) throws {
        let t = try CSVTable(path: path)
        let model = try t.requiredColumn("model", "name")
        let role = try t.requiredColumn("role")
        let fold = t.columnIndex("fold")
        var row: [String: Int] = [:]
        for (i, n) in modelNames.enumerated() where row[n] == nil { row[n] = i }
        let source = responsesPath.map { "\($0) " } ?? "the response file's "
        entries = try t.rows.indices.map { r in
            let name = t.text(r, model)
            guard let m = row[name] else {
                throw t.error(r, model, "model '\(name)' is not in \(source)/models/name")
            }
            guard let kind = Role(rawValue: t.text(r, role).lowercased()) else {
                throw t.error(r, role, "expected train or test, found '\(t.text(r, role))'")
            }
            return Entry(model: m, role: kind, fold: fold.map { t.text(r, $0) } ?? "", line: t.lines[r])
        }
        self.path = path
        modelColumn = t.header[model]; roleColumn = t.header[role]
    }

    /// The folds in order of first appearance. Within a fold a model may be
    /// listed once, and train and test must both be non-empty.
    public func folds(modelNames: [String]) throws -> [SplitFold] {
        var order: [String] = [], folds: [String: SplitFold] = [:]
        for e in entries {
            if folds[e.fold] == nil { folds[e.fold] = SplitFold(name: e.fold, train: [], test: []); order.append(e.fold) }
            switch e.role {
            case .train: folds[e.fold]!.train.append(e.model)
            case .test: folds[e.fold]!.test.append(e.model)
            }
        }
        for f in order {
            let s = folds[f]!
            let inFold = f.isEmpty ? "" : " in fold \(f)"
            if let m = Set(s.train).intersection(s.test).first {
                throw StoreError(file: path, field: "column \(roleColumn)", message: "model '\(modelNames[m])' is both train and test\(inFold)")
            }
            let listed = s.train + s.test
            if Set(listed).count != listed.count {
                let twice = Dictionary(grouping: listed, by: { $0 }).first { $0.value.count > 1 }!.key
                throw StoreError(file: path, field: "column \(modelColumn)", message: "model '\(modelNames[twice])' is listed twice\(inFold)")
            }
            guard !s.train.isEmpty, !s.test.isEmpty else {
                throw StoreError(file: path, field: "column \(roleColumn)",
                                 message: "\(f.isEmpty ? "the split" : "fold \(f)") needs train and test models; found \(s.train.count) train, \(s.test.count) test")
            }
        }
        return order.map { folds[$0]! }
    }

    /// Reads the split's folds (`init` then `folds`).
    public static func read(_ path: String, modelNames: [String]) throws -> [SplitFold] {
        try SplitFile(path: path, modelNames: modelNames).folds(modelNames: modelNames)
    }
}
