/// The tokens of a filter expression: Wireshark's display-filter spelling (`==`, `&&`, `!`, `{ }`) and
/// its words (`and`, `or`, `not`, `contains`, `matches`, `in`, `eq`, `ne`, `lt`, `gt`, `le`, `ge`).
struct FilterToken: Equatable {
    enum Kind: Equatable {
        /// A field name or an unquoted value: `ip.src`, `64:90:c1:1d:24:c4`, `a2.tuyaeu.com`, `443`.
        case word(String)
        case string(String)
        case comparison(ComparisonOperator)
        case and, or, not, openParen, closeParen, openBrace, closeBrace, comma, end
    }

    let kind: Kind
    let column: Int
}

public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "==", notEqual = "!=", less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
    case contains, matches, `in`
}

enum FilterLexer {
    static func tokens(_ text: String) throws(FilterError) -> [FilterToken] {
        let characters = Array(text)
        var tokens: [FilterToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            if character.isWhitespace {
                index += 1
                continue
            }
            func next(_ expected: Character) -> Bool { index + 1 < characters.count && characters[index + 1] == expected }
            switch character {
            case "(": tokens.append(FilterToken(kind: .openParen, column: column)); index += 1
            case ")": tokens.append(FilterToken(kind: .closeParen, column: column)); index += 1
            case "{": tokens.append(FilterToken(kind: .openBrace, column: column)); index += 1
            case "}": tokens.append(FilterToken(kind: .closeBrace, column: column)); index += 1
            case ",": tokens.append(FilterToken(kind: .comma, column: column)); index += 1
            case "&" where next("&"): tokens.append(FilterToken(kind: .and, column: column)); index += 2
            case "|" where next("|"): tokens.append(FilterToken(kind: .or, column: column)); index += 2
            case "=" where next("="): tokens.append(FilterToken(kind: .comparison(.equal), column: column)); index += 2
            case "!" where next("="): tokens.append(FilterToken(kind: .comparison(.notEqual), column: column)); index += 2
            case "!": tokens.append(FilterToken(kind: .not, column: column)); index += 1
            case "<" where next("="): tokens.append(FilterToken(kind: .comparison(.lessOrEqual), column: column)); index += 2
            case ">" where next("="): tokens.append(FilterToken(kind: .comparison(.greaterOrEqual), column: column)); index += 2
            case "<": tokens.append(FilterToken(kind: .comparison(.less), column: column)); index += 1
            case ">": tokens.append(FilterToken(kind: .comparison(.greater), column: column)); index += 1
            case "~": tokens.append(FilterToken(kind: .comparison(.matches), column: column)); index += 1
            case "\"":
                var value = ""
                index += 1
                var closed = false
                while index < characters.count {
                    let current = characters[index]
                    if current == "\\", index + 1 < characters.count {
                        let escaped = characters[index + 1]
                        value.append(escaped == "n" ? "\n" : escaped == "t" ? "\t" : escaped)
                        index += 2
                        continue
                    }
                    index += 1
                    if current == "\"" {
                        closed = true
                        break
                    }
                    value.append(current)
                }
                guard closed else { throw FilterError(.unterminatedString, column: column) }
                tokens.append(FilterToken(kind: .string(value), column: column))
            default:
                guard isWordCharacter(character) else { throw FilterError(.unexpectedCharacter(character), column: column) }
                var word = ""
                while index < characters.count, isWordCharacter(characters[index]) {
                    word.append(characters[index])
                    index += 1
                }
                tokens.append(FilterToken(kind: keyword(word), column: column))
            }
        }
        tokens.append(FilterToken(kind: .end, column: characters.count + 1))
        return tokens
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || "_.:-/*+@".contains(character)
    }

    private static func keyword(_ word: String) -> FilterToken.Kind {
        switch word {
        case "and": .and
        case "or": .or
        case "not": .not
        case "eq": .comparison(.equal)
        case "ne": .comparison(.notEqual)
        case "lt": .comparison(.less)
        case "gt": .comparison(.greater)
        case "le": .comparison(.lessOrEqual)
        case "ge": .comparison(.greaterOrEqual)
        case "contains": .comparison(.contains)
        case "matches": .comparison(.matches)
        case "in": .comparison(.in)
        default: .word(word)
        }
    }
}
