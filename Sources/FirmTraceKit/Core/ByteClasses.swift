import CShims

/// Whether bytes hold any of a class (outside ASCII), or copying them unless they hold one (what a JSON
/// string or a CSV field must escape): run on every string of every event, where a byte loop was a tenth
/// of writing a timeline and eight-byte words still cost each event some 1,400 instructions. Sixteen bytes
/// at a time, in C (`CShims`).
enum ByteClasses {
    /// Bytes of multi-byte UTF-8 sequences, or of no UTF-8 at all.
    static func containsNonASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.baseAddress.map { firmtrace_contains_non_ascii($0, bytes.count) != 0 } ?? false
    }

    /// Room `copyUnlessCSVSpecial` needs past the bytes it copies, and `escapeJSON` past its worst case.
    static let copySlack = 16

    /// Room `escapeJSON` needs for `count` bytes: each may become `\u00XX`.
    static func escapedJSONRoom(_ count: Int) -> Int { 6 * count + copySlack }

    /// Writes `bytes` to `target` as the inside of a JSON string: control characters, `"` and `\` escaped,
    /// with `doublingQuotes` each `"` written twice after its backslash. How many bytes it wrote; `target`
    /// needs `escapedJSONRoom(bytes.count)`, written over past them.
    static func escapeJSON(_ bytes: UnsafeRawBufferPointer, doublingQuotes: Bool, to target: UnsafeMutableRawPointer) -> Int {
        bytes.baseAddress.map { firmtrace_escape_json(target, $0, bytes.count, doublingQuotes ? 1 : 0) } ?? 0
    }

    /// Copies `bytes` to `target` unless one is `,`, `"`, CR or LF; whether it did. `target` needs room for
    /// `copySlack` more bytes, written over.
    static func copyUnlessCSVSpecial(_ bytes: UnsafeRawBufferPointer, to target: UnsafeMutableRawPointer) -> Bool {
        bytes.baseAddress.map { firmtrace_copy_unless_csv_special(target, $0, bytes.count) != 0 } ?? true
    }
}
