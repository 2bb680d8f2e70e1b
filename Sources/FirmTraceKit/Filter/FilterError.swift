/// A filter expression that cannot be used, located by its column so the user can find the spot.
public struct FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case unexpectedCharacter(Character)
        case unterminatedString
        case expected(String, found: String)
        case invalidRegularExpression(String)
        /// A field the subject (events, packets) cannot provide: never silently false.
        case unknownField(String)
        /// Nested or chained past what parsing and evaluation may recurse through.
        case tooComplex(String)
    }

    public let kind: Kind
    /// 1-based column in the expression.
    public let column: Int

    public init(_ kind: Kind, column: Int) {
        self.kind = kind
        self.column = column
    }

    public var description: String {
        let what = switch kind {
        case .unexpectedCharacter(let character): "unexpected character '\(character)'"
        case .unterminatedString: "a string is not closed with '\"'"
        case .expected(let wanted, let found): "expected \(wanted), found \(found)"
        case .invalidRegularExpression(let reason): "invalid regular expression: \(reason)"
        case .unknownField(let name): "unknown field '\(name)'"
        case .tooComplex(let reason): "too complex: \(reason)"
        }
        return "filter, column \(column): \(what)"
    }
}
