#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of an input file currently held in memory, for the streaming
/// readers (`JSONLinesReader`, `JSONArrayReader`): a buffer filled with
/// `read(2)`, of which `start..<filled` is not consumed yet.
///
/// Why one type: both readers hand out views into the buffer and must keep
/// an unfinished record (a line, an array element) across reads; `refill`
/// moves it to the front, doubles the buffer only when that record fills
/// it, and reads until the buffer is full or the file ends. Memory is the
/// buffer, whatever the file's size.
struct ReadWindow {
    let path: String
    private let fd: Int32
    private(set) var capacity: Int
    /// `capacity + 1` bytes, so a NUL can always follow the data.
    private(set) var buffer: UnsafeMutablePointer<UInt8>
    /// Bytes in the buffer.
    private(set) var filled = 0
    /// Where the unconsumed bytes begin.
    var start = 0
    /// File offset of `buffer[0]`.
    private(set) var fileOffset = 0
    /// Bytes read so far.
    private(set) var total = 0
    private(set) var eof = false

    init(path: String, capacity: Int) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw IngestError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.capacity = max(16, capacity)
        buffer = .allocate(capacity: self.capacity + 1)
    }

    /// Closes the file and frees the buffer; call once, when done.
    func finish() {
        close(fd)
        buffer.deallocate()
    }

    /// Moves `start..<filled` to the front (doubling the buffer when it fills
    /// it) and reads until the buffer is full or the file ends (`eof`).
    mutating func refill() throws {
        if start > 0 {
            if filled > start { memmove(buffer, buffer + start, filled - start) }
            fileOffset += start
            filled -= start
            start = 0
        }
        if filled == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2 + 1)
            bigger.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        while filled < capacity {
            let n = read(fd, buffer + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError(file: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                eof = true
                return
            }
            filled += n
            total += n
        }
    }
}
