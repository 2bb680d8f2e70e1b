/// Text from bytes that may not be UTF-8: valid sequences stay as they are, every invalid byte becomes
/// `\xNN`, and a backslash is doubled so the escape cannot be forged by the input.
public enum EscapedText {
    public static func escaping<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var text = ""
        var rest = Array(bytes)[...]
        while let first = rest.first {
            if let (scalar, width) = decodeScalar(rest) {
                text.unicodeScalars.append(scalar)
                if scalar == "\\" { text.append("\\") }
                rest = rest.dropFirst(width)
            } else {
                text += "\\x" + String(first, radix: 16, uppercase: true).leftPadded(to: 2)
                rest = rest.dropFirst()
            }
        }
        return text
    }

    private static func decodeScalar(_ bytes: ArraySlice<UInt8>) -> (Unicode.Scalar, Int)? {
        var decoder = UTF8()
        var iterator = bytes.prefix(4).makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return nil }
        return (scalar, UTF8.width(scalar))
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
