/// The text written lately for strings, kept by the string's identity: a timeline writes the same few
/// field names, kinds, origins and messages over and over (a repeated log line's message is one string,
/// `RepeatedLineTails`), and escaping each again for every record was some 8% of a timeline's
/// instructions (callgrind).
///
/// A string is known by its two words, not by its bytes: equal words are an equal string — a small string's
/// words are its bytes, and a larger one's point at its storage, which is not changed or freed while a
/// string holds it, as a kept text's slot does. Comparing two words costs less than hashing or comparing
/// the bytes. A text is kept the second time its string is seen (`KeptTexts`), so strings that never come
/// again cost a look each. One per writer, used by one thread at a time.
final class RepeatedStringText {
    /// How a string is written.
    enum Form: UInt64 {
        /// A CSV field (`EventBytes.appendCSVField`).
        case csvField
        /// A JSON object's key: a JSON string and a colon, as JSON or with its quotes doubled for JSON
        /// inside a CSV field.
        case jsonKey, jsonKeyDoublingQuotes

        fileprivate func write(_ text: String, to out: inout ByteBuffer) {
            switch self {
            case .csvField: EventBytes.appendCSVField(text, to: &out)
            case .jsonKey, .jsonKeyDoublingQuotes: EventBytes.appendJSONKey(text, to: &out, doublingQuotes: self == .jsonKeyDoublingQuotes)
            }
        }
    }

    /// A string's two words and how it is written.
    private struct Key: Equatable {
        let first: UInt64, second: UInt64
        let form: Form
    }

    private let kept = KeptTexts<Key, String>(longest: 128, blank: Key(first: 0, second: 0, form: .csvField))

    /// Appends `text` written in `form`.
    @inline(__always) func append(_ text: String, as form: Form, to out: inout ByteBuffer) {
        let words = unsafeBitCast(text, to: (UInt64, UInt64).self)
        kept.append(Key(first: words.0, second: words.1, form: form), hash: words.0 ^ (words.1 >> 4) ^ form.rawValue,
                    source: text, to: &out) { form.write($0, to: &$1) }
    }
}
