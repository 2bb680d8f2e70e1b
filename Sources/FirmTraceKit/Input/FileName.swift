/// One component of a path as raw bytes. Archive members can carry names that are not UTF-8; keeping the
/// bytes means the file on disk gets exactly the name the archive gave it, while `display` escapes the
/// bytes that are not text so messages and the manifest stay readable and unambiguous.
struct FileName: Sendable, Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { self.bytes = Array(text.utf8) }

    var display: String { EscapedText.escaping(bytes) }

    func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    func appending(_ suffix: String) -> FileName { FileName(bytes + Array(suffix.utf8)) }
}
