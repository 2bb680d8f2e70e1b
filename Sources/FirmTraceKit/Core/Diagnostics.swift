/// Something a run survived but the user must hear about: a skipped member, a truncated record, a refused
/// path. Thrown errors end one input; diagnostics let the run go on and still make the exit code honest.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        /// Something was skipped or refused: output is incomplete.
        case error
        /// Output is complete, but the input was odd in a way worth knowing.
        case warning
        /// Not a problem: a fact about the input the user should see (an encrypted file kept as it is).
        case notice
    }

    public let severity: Severity
    public let location: InputLocation
    public let message: String

    public init(_ severity: Severity, at location: InputLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

public struct Diagnostics: Sendable {
    public private(set) var all: [Diagnostic] = []

    public init() {}

    public mutating func report(_ diagnostic: Diagnostic) {
        all.append(diagnostic)
    }

    public mutating func report(_ severity: Diagnostic.Severity, at location: InputLocation, _ message: String) {
        all.append(Diagnostic(severity, at: location, message))
    }

    /// True when anything was skipped or refused, which the exit code must say.
    public var hasErrors: Bool { all.contains { $0.severity == .error } }
}
