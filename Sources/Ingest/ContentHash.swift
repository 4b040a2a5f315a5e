/// A 64-bit FNV-1a hash of a question's text, used in item ids.
///
/// Why a hash in the id at all: the harness numbers documents (`doc_id`)
/// by their position in the task's dataset split, so two runs with a
/// different dataset revision, subset or shuffle can give the same doc_id
/// to different questions. The hash of the *decoded* text (so `\u00e9` and
/// a raw `é` agree, whatever the exporter's escaping) makes such a clash
/// detectable instead of silently aligning unrelated answers. FNV-1a is
/// enough: this detects accidents, it does not defend against adversaries,
/// and it is fast and has no dependencies.
public struct ContentHash: Hashable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        update(bytes)
    }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        var h = value
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        value = h
    }

    /// The 12 hex digits (48 bits) printed in item ids.
    public var shortHex: String {
        let hex = String(value >> 16, radix: 16)
        return String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }
}
