/// Bytes written one piece after another: the buffer every formatter (timeline records, JSON Lines,
/// tab-separated fields) appends to. Written by hand because it is the hottest path of a timeline: a
/// record is some forty pieces, and `[UInt8]` checks on each append, through calls the optimizer keeps,
/// that its storage is unique and large enough; those appends were a tenth of a timeline's CPU time.
/// Not copyable, so that it owns its memory plainly and an append is a store and an add.
struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        if capacity - count < bytes.count { grow(toHold: bytes.count) }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Lets `body` write at most `maximum` bytes at the end, and keeps as many as it returns.
    @inline(__always) mutating func append(atMost maximum: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        if capacity - count < maximum { grow(toHold: maximum) }
        count += body(base + count)
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The text's UTF-8 bytes as they are, nothing escaped.
    mutating func append(utf8 text: String) {
        text.withUTF8Bytes { append($0) }
    }

    mutating func append(_ other: borrowing ByteBuffer) {
        other.withBytes { append($0) }
    }

    /// `count` zero bytes, to be overwritten later (a record's header, once its length is known).
    mutating func appendZeros(_ count: Int) {
        if capacity - self.count < count { grow(toHold: count) }
        (base + self.count).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        self.count += count
    }

    /// Forgets everything from `offset` on.
    mutating func truncate(to offset: Int) {
        precondition((0 ... count).contains(offset), "a truncation past what the buffer holds")
        count = offset
    }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() {
        count = 0
    }

    func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    mutating func withMutableBytes<Result>(_ body: (UnsafeMutableRawBufferPointer) -> Result) -> Result {
        body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    var array: [UInt8] { withBytes { Array($0) } }

    var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// Room for `extra` more bytes: at least double, so that appending stays linear.
    @inline(never) private mutating func grow(toHold extra: Int) {
        let larger = max(capacity * 2, count + extra)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 16)
        moved.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
