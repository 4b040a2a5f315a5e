/// The columns of a response file under construction: each item's id,
/// benchmark and chance floor, and the lookup from an item's key to its
/// column, so answers from different models (and from an existing file
/// being appended to) land in the same column.
///
/// Item ids of harness questions read `<task>/<doc_id>#<hash>`, where
/// `<hash>` is 12 hex digits of the question's `ContentHash`. The *key*
/// that aligns columns is `<task>/<doc_id>`; the hash then checks that the
/// two sources really hold the same question (a different dataset revision
/// may reuse a doc_id), and a mismatch is an error naming both sources
/// instead of a silently mixed column. Ids without a hash suffix (table
/// columns, foreign files) are their own key.
///
/// Harness questions are looked up per task (`columns(forTask:)`, then a
/// doc_id → column dictionary), so the per-record path builds no strings:
/// exports of small records (zero-shot prompts) run to millions of lines.
public struct ItemCatalog {
    public private(set) var ids: [String] = []
    public private(set) var benchmarks: [String] = []
    /// Chance level of each item; 0 when unknown.
    public private(set) var floors: [Double] = []
    /// Whether any item has a known floor (so `/items/floor` is worth writing).
    public private(set) var hasFloors = false

    /// The doc_id → column map of one task's harness questions. A class, so
    /// a loop over one file holds it without copying the catalog.
    public final class TaskColumns {
        public let task: String
        public fileprivate(set) var columnOfDoc: [String: Int] = [:]
        init(task: String) { self.task = task }
    }

    private var columnOfKey: [String: Int] = [:]
    private var tasks: [String: TaskColumns] = [:]
    private var floorKnown: [Bool] = []
    /// 48-bit question hash per item (`noHash` for ids without one).
    private var hashes: [UInt64] = []
    private static let noHash = UInt64.max
    /// Where each item was first seen: an index into `sourceNames`.
    private var sourceOfColumn: [Int32] = []
    private var sourceNames: [String] = []
    private var sourceIndex: [String: Int32] = [:]

    public init() {}

    /// The catalog of an existing file's items (`source` names the file in errors).
    public init(ids: [String], benchmarks: [String], floors: [Double]?, source: String) throws {
        for j in ids.indices {
            let (key, hash) = ItemCatalog.split(ids[j])
            if columnOfKey[key] != nil {
                throw IngestError(file: source, location: "/items/id",
                                  message: "item \"\(ids[j])\" appears twice; cannot align new answers to it")
            }
            let hashValue = hash.flatMap { UInt64($0, radix: 16) } ?? ItemCatalog.noHash
            append(id: ids[j], key: key, hash: hashValue, benchmark: benchmarks[j], floor: floors?[j], source: source)
            if hash != nil, let slash = key.lastIndex(of: "/") {
                let task = String(key[..<slash]), doc = String(key[key.index(after: slash)...])
                columns(forTask: task).columnOfDoc[doc] = j
            }
        }
    }

    public var count: Int { ids.count }

    /// The id of a harness question: `<task>/<doc_id>#<hash>`.
    public static func harnessID(task: String, docID: String, hash: ContentHash) -> String {
        "\(task)/\(docID)#\(hash.shortHex)"
    }

    /// `(key, hash)` of an id: the hash is the 12-hex-digit suffix after the last `#`, if any.
    public static func split(_ id: String) -> (key: String, hash: String?) {
        guard let hashMark = id.lastIndex(of: "#") else { return (id, nil) }
        let suffix = id[id.index(after: hashMark)...]
        guard suffix.count == 12, suffix.allSatisfy({ $0.isHexDigit }) else { return (id, nil) }
        return (String(id[..<hashMark]), String(suffix))
    }

    /// The doc_id → column map of a task (created empty when new).
    public mutating func columns(forTask task: String) -> TaskColumns {
        if let known = tasks[task] { return known }
        let created = TaskColumns(task: task)
        tasks[task] = created
        return created
    }

    /// The column of a harness question, appended when new. For a known
    /// question the hash and floor must agree with the first source (see
    /// `check`). `location` (e.g. "line 17") is only built for errors.
    public mutating func column(in task: TaskColumns, docID: String, hash: ContentHash, benchmark: String,
                                floor: Double?, source: String, location: @autoclosure () -> String) throws -> Int {
        if let column = task.columnOfDoc[docID] {
            try check(column, hash: hash, floor: floor, source: source, location: location())
            return column
        }
        let id = ItemCatalog.harnessID(task: task.task, docID: docID, hash: hash)
        let key = "\(task.task)/\(docID)"
        if let column = columnOfKey[key] {  // e.g. a foreign id without a hash
            task.columnOfDoc[docID] = column
            try check(column, hash: hash, floor: floor, source: source, location: location())
            return column
        }
        append(id: id, key: key, hash: hash.value >> 16, benchmark: benchmark, floor: floor, source: source)
        task.columnOfDoc[docID] = ids.count - 1
        return ids.count - 1
    }

    /// The column of any item by id, appending it when new (table columns).
    public mutating func column(id: String, benchmark: String, floor: Double?,
                                source: String, location: String = "") throws -> Int {
        let (key, hash) = ItemCatalog.split(id)
        guard let column = columnOfKey[key] else {
            append(id: id, key: key, hash: hash.flatMap { UInt64($0, radix: 16) } ?? ItemCatalog.noHash,
                   benchmark: benchmark, floor: floor, source: source)
            return ids.count - 1
        }
        if let hash, let value = UInt64(hash, radix: 16) {
            try check(column, hash48: value, floor: floor, source: source, location: location)
        } else {
            try check(column, hash48: ItemCatalog.noHash, floor: floor, source: source, location: location)
        }
        return column
    }

    /// Whether `hash` is the question first seen in `column` (true when either has no hash).
    public func matches(_ column: Int, hash: ContentHash) -> Bool {
        hashes[column] == ItemCatalog.noHash || hashes[column] == hash.value >> 16
    }

    /// The column of `id`'s key, if present.
    public func column(of id: String) -> Int? {
        columnOfKey[ItemCatalog.split(id).key]
    }

    /// Checks a new sighting of the item in `column` against the first: the
    /// same question (hash) and the same number of choices (floor). A
    /// mismatch means the two sources disagree on what the question is, an
    /// error naming both (`source` and `location` describe the new one).
    private mutating func check(_ column: Int, hash: ContentHash, floor: Double?, source: String, location: String) throws {
        try check(column, hash48: hash.value >> 16, floor: floor, source: source, location: location)
    }

    private mutating func check(_ column: Int, hash48: UInt64, floor: Double?, source: String, location: String) throws {
        let first = sourceNames[Int(sourceOfColumn[column])]
        var key: String { ItemCatalog.split(ids[column]).key }  // only built for a message
        let known = hashes[column]
        if hash48 != ItemCatalog.noHash && known != ItemCatalog.noHash && hash48 != known {
            throw IngestError(file: source, location: location,
                              message: "item \(key): the question differs from the one in \(first) "
                                + "(content hash \(ItemCatalog.hex(hash48)) here, \(ItemCatalog.hex(known)) there): "
                                + "the two files give this doc_id to different questions")
        }
        if let floor {
            if !floorKnown[column] {
                floors[column] = floor
                floorKnown[column] = true
                hasFloors = true
            } else if floors[column] != floor {
                let how = floor == 0 || floors[column] == 0
                    ? "the same doc asked as multiple-choice in one file and as generation in the other (one task name for two task configs?)"
                    : "not the same question, or the same one with other choices"
                throw IngestError(file: source, location: location,
                                  message: "item \(key): chance floor \(floor) (\(ItemCatalog.choices(floor))) here, but "
                                    + "\(floors[column]) (\(ItemCatalog.choices(floors[column]))) in \(first): \(how); "
                                    + "one item cannot hold both: ingest them into separate files")
            }
        }
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 12 - text.count)) + text
    }

    private static func choices(_ floor: Double) -> String {
        floor > 0 ? "\(Int((1 / floor).rounded())) choices" : "no choices"
    }

    private mutating func append(id: String, key: String, hash: UInt64, benchmark: String, floor: Double?, source: String) {
        columnOfKey[key] = ids.count
        ids.append(id)
        benchmarks.append(benchmark)
        floors.append(floor ?? 0)
        floorKnown.append(floor != nil)
        if floor != nil { hasFloors = true }
        hashes.append(hash)
        let index: Int32
        if let known = sourceIndex[source] {
            index = known
        } else {
            index = Int32(sourceNames.count)
            sourceNames.append(source)
            sourceIndex[source] = index
        }
        sourceOfColumn.append(index)
    }
}
