/// A compiled filter: parsed once, then evaluated per event or packet. One language serves `grep --where`
/// over event fields and Wireshark display filters over packets; only the subject differs.
public indirect enum FilterExpression: Sendable {
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    /// A bare field (or protocol name): true when the subject has it.
    case exists(field: String)
    case comparison(FilterComparison)

    public static func parse(_ text: String) throws(FilterError) -> FilterExpression {
        var parser = FilterParser(tokens: try FilterLexer.tokens(text))
        return try parser.parseWhole()
    }

    /// Every field name the expression reads, to check against what a subject supports.
    public var fieldNames: [String] {
        switch self {
        case .and(let left, let right), .or(let left, let right): left.fieldNames + right.fieldNames
        case .not(let inner): inner.fieldNames
        case .exists(let field): [field]
        case .comparison(let comparison): [comparison.field]
        }
    }

    public func matches(_ subject: some FilterSubject) -> Bool {
        switch self {
        case .and(let left, let right): left.matches(subject) && right.matches(subject)
        case .or(let left, let right): left.matches(subject) || right.matches(subject)
        case .not(let inner): !inner.matches(subject)
        case .exists(let field): !subject.values(of: field).isEmpty
        case .comparison(let comparison): comparison.matches(subject.values(of: comparison.field))
        }
    }
}

/// What a filter is evaluated against. A field may occur several times (a packet with two IP headers, a
/// DNS answer with five addresses), so values come as a list, and Wireshark's rules apply: `==` holds
/// when any value is equal, `!=` when none is, and both are false when the field is absent.
public protocol FilterSubject {
    func values(of field: String) -> [FieldValue]
}

public struct FilterComparison: @unchecked Sendable {
    public let field: String
    public let comparison: ComparisonOperator
    /// One literal, or the members of a set for `in`.
    public let literals: [FilterLiteral]
    /// Compiled once for `matches`; `Regex` is not `Sendable`, but it is immutable after compiling.
    let regex: Regex<AnyRegexOutput>?

    func matches(_ values: [FieldValue]) -> Bool {
        guard !values.isEmpty else { return false }
        switch comparison {
        case .notEqual: return values.allSatisfy { value in !literals.contains { $0.equals(value) } }
        case .equal, .in: return values.contains { value in literals.contains { $0.equals(value) } }
        case .contains: return values.contains { value in literals.contains { value.description.contains($0.text) } }
        case .matches:
            guard let regex else { return false }
            return values.contains { (try? regex.firstMatch(in: $0.description)) != nil }
        case .less, .greater, .lessOrEqual, .greaterOrEqual:
            return values.contains { value in
                literals.contains { literal in
                    guard let order = literal.order(comparedTo: value) else { return false }
                    return switch comparison {
                    case .less: order < 0
                    case .greater: order > 0
                    case .lessOrEqual: order <= 0
                    default: order >= 0
                    }
                }
            }
        }
    }
}

/// A value written in a filter: quoted text, or a bare word that may be a number, a MAC, an address.
public struct FilterLiteral: Sendable, Hashable {
    public let text: String
    public let quoted: Bool

    var integer: Int64? {
        guard !quoted else { return nil }
        if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16) }
        return Int64(text)
    }

    func equals(_ value: FieldValue) -> Bool {
        switch value {
        case .string(let string): string == text
        case .integer(let number): integer == number || (quoted && text == String(number))
        case .bool(let truth): text == (truth ? "true" : "false") || text == (truth ? "1" : "0")
        }
    }

    /// The value's order relative to this literal: negative when the value is smaller.
    func order(comparedTo value: FieldValue) -> Int? {
        switch value {
        case .integer(let number):
            guard let integer else { return nil }
            return number < integer ? -1 : number > integer ? 1 : 0
        case .string(let string):
            return string < text ? -1 : string > text ? 1 : 0
        case .bool:
            return nil
        }
    }
}

/// Recursive descent over the tokens: `or` binds loosest, then `and`, then `not`. Parsing, compiling and
/// evaluating all recurse through the tree, so its depth is bounded: parentheses and `not` nest at most
/// `maxNesting` deep, and at most `maxTerms` comparisons chain (a chain of `or` is a tree that deep).
struct FilterParser {
    static let maxNesting = 64
    static let maxTerms = 1024

    private let tokens: [FilterToken]
    private var index = 0
    private var nesting = 0
    private var terms = 0

    init(tokens: [FilterToken]) {
        self.tokens = tokens
    }

    private var current: FilterToken { tokens[index] }

    mutating func parseWhole() throws(FilterError) -> FilterExpression {
        let expression = try parseOr()
        guard current.kind == .end else { throw unexpected("an operator or the end of the filter") }
        return expression
    }

    private func unexpected(_ wanted: String) -> FilterError {
        let found = switch current.kind {
        case .word(let word): "'\(word)'"
        case .string(let text): "\"\(text)\""
        case .end: "the end of the filter"
        case .comparison(let comparison): "'\(comparison.rawValue)'"
        case .and: "'&&'"
        case .or: "'||'"
        case .not: "'!'"
        case .openParen: "'('"
        case .closeParen: "')'"
        case .openBrace: "'{'"
        case .closeBrace: "'}'"
        case .comma: "','"
        }
        return FilterError(.expected(wanted, found: found), column: current.column)
    }

    private mutating func parseOr() throws(FilterError) -> FilterExpression {
        var expression = try parseAnd()
        while current.kind == .or {
            index += 1
            expression = .or(expression, try parseAnd())
        }
        return expression
    }

    private mutating func parseAnd() throws(FilterError) -> FilterExpression {
        var expression = try parseNot()
        while current.kind == .and {
            index += 1
            expression = .and(expression, try parseNot())
        }
        return expression
    }

    private mutating func parseNot() throws(FilterError) -> FilterExpression {
        if current.kind == .not {
            index += 1
            try enter()
            defer { nesting -= 1 }
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func enter() throws(FilterError) {
        nesting += 1
        guard nesting <= Self.maxNesting else {
            throw FilterError(.tooComplex("parentheses and '!' nested more than \(Self.maxNesting) deep"), column: current.column)
        }
    }

    private mutating func parsePrimary() throws(FilterError) -> FilterExpression {
        if current.kind == .openParen {
            index += 1
            try enter()
            defer { nesting -= 1 }
            let inner = try parseOr()
            guard current.kind == .closeParen else { throw unexpected("')'") }
            index += 1
            return inner
        }
        terms += 1
        guard terms <= Self.maxTerms else {
            throw FilterError(.tooComplex("more than \(Self.maxTerms) comparisons"), column: current.column)
        }
        guard case .word(let field) = current.kind else { throw unexpected("a field name") }
        index += 1
        guard case .comparison(let comparison) = current.kind else { return .exists(field: field) }
        let operatorColumn = current.column
        index += 1
        var literals: [FilterLiteral]
        if current.kind == .openBrace {
            index += 1
            literals = []
            while current.kind != .closeBrace {
                literals.append(try parseLiteral())
                if current.kind == .comma { index += 1 }
            }
            index += 1
            guard !literals.isEmpty else { throw FilterError(.expected("a value in the set", found: "'}'"), column: operatorColumn) }
        } else {
            guard comparison != .in else { throw unexpected("a set '{…}' after 'in'") }
            literals = [try parseLiteral()]
        }
        var regex: Regex<AnyRegexOutput>?
        if comparison == .matches {
            do {
                regex = try Regex(literals[0].text).ignoresCase()
            } catch {
                throw FilterError(.invalidRegularExpression("\(error)"), column: operatorColumn)
            }
        }
        return .comparison(FilterComparison(field: field, comparison: comparison, literals: literals, regex: regex))
    }

    private mutating func parseLiteral() throws(FilterError) -> FilterLiteral {
        switch current.kind {
        case .word(let word):
            index += 1
            return FilterLiteral(text: word, quoted: false)
        case .string(let text):
            index += 1
            return FilterLiteral(text: text, quoted: true)
        default:
            throw unexpected("a value")
        }
    }
}
