/// One thing that happened, from a log line or a packet: the single value type every stage passes on.
/// The field names (`time`, `time_basis`, `device_time`, …) are the contract of `--json` and the exports.
public struct Event: Sendable, Hashable {
    /// UTC instant in nanoseconds since 1970; nil when the event cannot be placed.
    public var time: Int64?
    public var timeBasis: TimeBasis
    /// The timestamp exactly as the device wrote it (`07-09 20:51:49`).
    public var deviceTime: String?
    public var kind: EventKind
    /// The process or layer that produced it: `rriot_tuya`, `miio_client`, `kernel`, `capture`.
    public var origin: String
    /// Where it came from: a path, with `!` into archives.
    public var source: String
    /// 1-based line in the source (the first line, for an event spanning continuation lines).
    public var line: Int?
    /// 1-based packet number in a capture.
    public var frame: Int?
    public var message: String
    public var fields: EventFields
    /// A stable identifier within one timeline (`e42`), set by the timeline.
    public var id: String?
    /// Ids of the events on the other side (log ⇄ packet) that correlation linked to this one.
    public var links: [String] = []
    /// Which stretch of its source's clock placed a log event (`ClockSegments`): each is put on the
    /// capture's clock on its own.
    var clockSegment: Int32 = 0
}

extension Event {
    /// Delegates to the memberwise initializer, which builds the event in place: an initializer assigning
    /// each property of a struct this large made the optimizer copy the whole event once made (a retain
    /// and a release of each of its strings, for every event decoded).
    public init(time: Int64? = nil, timeBasis: TimeBasis = .unknown, deviceTime: String? = nil, kind: EventKind,
                origin: String, source: String, line: Int? = nil, frame: Int? = nil, message: String,
                fields: EventFields = EventFields()) {
        self.init(time: time, timeBasis: timeBasis, deviceTime: deviceTime, kind: kind, origin: origin, source: source,
                  line: line, frame: frame, message: message, fields: fields, id: nil, links: [], clockSegment: 0)
    }
}

/// How an event's `time` was obtained. Nothing is silently guessed: every event says which.
public enum TimeBasis: String, Sendable, Hashable, CaseIterable {
    /// The capture's clock: truth.
    case capture
    /// An epoch written inside the line itself (`t=1657363909`).
    case logEpoch = "log_epoch"
    /// The device's clock, put on UTC with the source's time zone and year.
    case logClock = "log_clock"
    /// Written before the device set its clock (the SDK's `01-01` period): no real date.
    case logUnsynced = "log_unsynced"
    case unknown
}

/// A field's value: text, a whole number or a truth value, as the design's `fields` allow.
public enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .bool(let truth): truth ? "true" : "false"
        }
    }
}

/// One field of an event. A struct rather than a `(key, value)` tuple: an array of tuples is destroyed
/// through the runtime's generic tuple witness, element by element, and every event's fields are destroyed
/// once it is written.
public struct EventField: Sendable, Hashable {
    public let key: String
    public var value: FieldValue

    public init(key: String, value: FieldValue) {
        self.key = key
        self.value = value
    }
}

/// Fields in the order they were found, with flat keys (`host`, `port`, `dp.5.range`).
public struct EventFields: Sendable, Hashable, Sequence {
    public private(set) var entries: [EventField] = []

    public init() {}

    /// Room for `capacity` fields up front: decoders know how many they add.
    init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    public init(_ entries: [(String, FieldValue)]) {
        self.entries = entries.map { EventField(key: $0.0, value: $0.1) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public subscript(key: String) -> FieldValue? {
        entries.first { Self.same($0.key, key) }?.value
    }

    /// Keys compared by length first: a key is looked for among a dozen, and comparing two different short
    /// strings calls into the String library each time, where their lengths nearly always differ.
    @inline(__always) private static func same(_ key: String, _ other: String) -> Bool {
        key.utf8.count == other.utf8.count && key == other
    }

    /// Sets `key`, replacing an earlier value so each key appears once.
    public mutating func set(_ key: String, _ value: FieldValue) {
        if let index = entries.firstIndex(where: { Self.same($0.key, key) }) {
            entries[index].value = value
        } else {
            entries.append(EventField(key: key, value: value))
        }
    }

    /// Adds a field known to be new (a decoder filling fresh fields): no search for an earlier value.
    mutating func append(_ key: String, _ value: FieldValue) {
        entries.append(EventField(key: key, value: value))
    }

    /// The text of `key`, when it is text and not empty.
    public func text(_ key: String) -> String? {
        if case .string(let value)? = self[key], !value.isEmpty { return value }
        return nil
    }

    /// The number of `key`, when it is a whole number.
    public func integer(_ key: String) -> Int64? {
        if case .integer(let value)? = self[key] { return value }
        return nil
    }

    public mutating func set(_ key: String, _ text: String) { set(key, .string(text)) }
    public mutating func set(_ key: String, _ number: Int64) { set(key, .integer(number)) }
    public mutating func set(_ key: String, _ truth: Bool) { set(key, .bool(truth)) }

    public func makeIterator() -> IndexingIterator<[EventField]> {
        entries.makeIterator()
    }
}
