import CShims

/// Whether bytes hold any of a class (outside ASCII, or what a JSON string or a CSV field must escape):
/// run on every string of every event, where a byte loop was a tenth of writing a timeline and eight-byte
/// words still cost each event some 1,400 instructions. Sixteen bytes at a time, in C (`CShims`).
enum ByteClasses {
    /// Bytes of multi-byte UTF-8 sequences, or of no UTF-8 at all.
    static func containsNonASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.baseAddress.map { firmtrace_contains_non_ascii($0, bytes.count) != 0 } ?? false
    }

    /// Control characters, `"` and `\`.
    static func containsJSONSpecial(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.baseAddress.map { firmtrace_contains_json_special($0, bytes.count) != 0 } ?? false
    }

    /// `,`, `"`, CR and LF.
    static func containsCSVSpecial(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.baseAddress.map { firmtrace_contains_csv_special($0, bytes.count) != 0 } ?? false
    }
}
