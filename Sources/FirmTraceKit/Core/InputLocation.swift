/// Where something was found: a source (a path, with `!` separating each step into an archive), and when
/// known the byte offset and line inside it. Every message a user sees about bad input carries one.
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
    /// Each step of the chain: the input path, then the member path inside each archive on the way.
    public let chain: [String]
    public let byteOffset: Int64?
    public let line: Int?

    public init(chain: [String], byteOffset: Int64? = nil, line: Int? = nil) {
        self.chain = chain
        self.byteOffset = byteOffset
        self.line = line
    }

    public init(path: String) {
        self.init(chain: [path])
    }

    /// The source as users write it: `bundle.tar.gz!rrlog/varlog.tar.gz!messages`.
    public var source: String { chain.joined(separator: "!") }

    public func appending(member: String) -> InputLocation {
        InputLocation(chain: chain + [member])
    }

    public func at(byte offset: Int64) -> InputLocation {
        InputLocation(chain: chain, byteOffset: offset, line: line)
    }

    public var description: String {
        var text = source
        if let line { text += ":\(line)" }
        if let byteOffset { text += " (byte \(byteOffset))" }
        return text
    }
}
