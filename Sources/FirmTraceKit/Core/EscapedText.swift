/// Text from bytes that may not be UTF-8: valid sequences stay as they are and every byte that is not
/// part of one becomes `\xNN`, so nothing is dropped and output stays valid UTF-8.
public enum EscapedText {
    public static func escaping(_ bytes: UnsafeRawBufferPointer) -> String {
        // Log lines are nearly always ASCII, which needs no validation: the generic `String(validating:)`
        // was a twentieth of decoding a Tuya log.
        if !ByteClasses.containsNonASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return escapingInvalid(bytes)
    }

    public static func escaping(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { escaping($0) }
    }

    private static func escapingInvalid(_ bytes: UnsafeRawBufferPointer) -> String {
        var text = ""
        var rest = bytes[...]
        while let first = rest.first {
            var decoder = UTF8()
            var iterator = rest.prefix(4).makeIterator()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) {
                text.unicodeScalars.append(scalar)
                rest = rest.dropFirst(UTF8.width(scalar))
            } else {
                text += "\\x" + String(first, radix: 16, uppercase: true).leftPadded(to: 2)
                rest = rest.dropFirst()
            }
        }
        return text
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
