/// What differs between two sets of evidence (two firmware versions, two days): processes, DNS names,
/// endpoints, ports and periodic behaviours that appeared, disappeared or changed their period. A name
/// that went away while one differing only in its first label arrived (`ms.tuyaeu.com` → `m2.tuyaeu.com`)
/// is reported once, as replaced.
public struct FirmwareDiff: Sendable {
    public struct Item: Sendable, Equatable {
        /// `process`, `dns_name`, `endpoint`, `port`, `periodic`.
        public let kind: String
        public let id: String
        public let description: String
    }

    public struct Change: Sendable, Equatable {
        public let kind: String
        /// `replaced`, `period`, `regularity`.
        public let change: String
        public let from: Item
        public let to: Item
        /// For people: `every 10 s → every 30 s`.
        public let detail: String
    }

    public let before: BehaviourReport
    public let after: BehaviourReport
    public let added: [Item]
    public let removed: [Item]
    public let changed: [Change]

    /// Periods within this ratio of each other are the same period.
    static let samePeriod = 1.15

    public var exitStatus: Int32 { before.exitStatus != 0 || after.exitStatus != 0 ? 2 : 0 }

    public static func compare(_ before: BehaviourReport, _ after: BehaviourReport) -> FirmwareDiff {
        let old = items(before), new = items(after)
        var removed = old.values.filter { new[$0.id] == nil }.sorted(by: order)
        var added = new.values.filter { old[$0.id] == nil }.sorted(by: order)
        var changed: [Change] = []
        for item in removed {
            let pattern = sharedPattern(item.id)
            let candidates = added.filter { $0.kind == item.kind && sharedPattern($0.id) == pattern }
            let rivals = removed.filter { $0.kind == item.kind && sharedPattern($0.id) == pattern }
            guard pattern != item.id, candidates.count == 1, rivals.count == 1, let replacement = candidates.first else { continue }
            changed.append(Change(kind: item.kind, change: "replaced", from: item, to: replacement,
                                  detail: "\(item.description) → \(replacement.description)"))
        }
        removed.removeAll { item in changed.contains { $0.from == item } }
        added.removeAll { item in changed.contains { $0.to == item } }
        changed += periodChanges(before, after)
        return FirmwareDiff(before: before, after: after, added: added, removed: removed, changed: changed)
    }

    private static func order(_ lhs: Item, _ rhs: Item) -> Bool {
        (kindRank(lhs.kind), lhs.id) < (kindRank(rhs.kind), rhs.id)
    }

    private static func kindRank(_ kind: String) -> Int {
        ["process", "dns_name", "endpoint", "port", "periodic"].firstIndex(of: kind) ?? 9
    }

    /// Everything compared, by a key that is the same for the same thing in both sets.
    private static func items(_ report: BehaviourReport) -> [String: Item] {
        var items: [String: Item] = [:]
        func add(_ kind: String, _ key: String, _ description: String) {
            items["\(kind):\(key)"] = Item(kind: kind, id: "\(kind):\(key)", description: description)
        }
        var linesByProcess: [String: Int] = [:]
        for finding in report.behaviours where finding.behaviour.origin != "capture" {
            linesByProcess[finding.behaviour.origin, default: 0] += finding.count
        }
        for (process, lines) in linesByProcess { add("process", process, "\(process) (\(lines) log events)") }
        for name in report.names where name.queries > 0 {
            let addresses = name.addresses.prefix(3).map(\.address).joined(separator: ", ")
            add("dns_name", name.name, name.name + (addresses.isEmpty ? (name.failures > 0 ? " (never resolved)" : "") : " (\(addresses))"))
        }
        for endpoint in report.endpoints {
            add("endpoint", "\(endpoint.process) \(endpoint.host):\(endpoint.port)", "\(endpoint.process) talks to \(endpoint.host):\(endpoint.port)")
        }
        for finding in report.behaviours where finding.behaviour.category == "flow" {
            let target = finding.behaviour.id.dropFirst("flow:".count)
            add("endpoint", "capture \(target)", "\(finding.behaviour.description) (\(finding.count))")
            if let colon = target.lastIndex(of: ":"), let slash = target.firstIndex(of: "/") {
                let port = "\(target[..<slash])/\(target[target.index(after: colon)...])"
                add("port", port, port)
            }
        }
        for finding in report.periodic {
            add("periodic", finding.behaviour.id, "\(finding.behaviour.description), every \(DurationText.format(finding.periodicity.periodSeconds ?? 0))")
        }
        return items
    }

    /// Behaviours in both sets whose period moved, or that are periodic in one and not the other.
    private static func periodChanges(_ before: BehaviourReport, _ after: BehaviourReport) -> [Change] {
        let old = Dictionary(before.behaviours.map { ($0.behaviour.id, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [Change] = []
        for finding in after.behaviours {
            guard let previous = old[finding.behaviour.id] else { continue }
            let was = previous.periodicity.periodSeconds, now = finding.periodicity.periodSeconds
            let from = Item(kind: "periodic", id: "periodic:" + finding.behaviour.id, description: describe(previous))
            let to = Item(kind: "periodic", id: "periodic:" + finding.behaviour.id, description: describe(finding))
            if let was, let now, max(was, now) / max(min(was, now), 1e-9) > samePeriod {
                changes.append(Change(kind: "periodic", change: "period", from: from, to: to,
                                      detail: "\(finding.behaviour.description): every \(DurationText.format(was)) → every \(DurationText.format(now))"))
            } else if (was == nil) != (now == nil), previous.periodicity.verdict != .tooFew, finding.periodicity.verdict != .tooFew {
                changes.append(Change(kind: "periodic", change: "regularity", from: from, to: to,
                                      detail: "\(finding.behaviour.description): \(regularity(previous)) → \(regularity(finding))"))
            }
        }
        return changes.sorted { $0.from.id < $1.from.id }
    }

    private static func describe(_ finding: BehaviourFinding) -> String {
        "\(finding.behaviour.description), \(regularity(finding))"
    }

    private static func regularity(_ finding: BehaviourFinding) -> String {
        finding.periodicity.periodSeconds.map { "every " + DurationText.format($0) } ?? finding.periodicity.verdict.rawValue.replacingUnderscores
    }

    /// The id with the first label of each DNS name in it blanked: what a renamed host leaves in common.
    static func sharedPattern(_ id: String) -> String {
        var pattern = "", token = ""
        func flush() {
            let labels = token.split(separator: ".", omittingEmptySubsequences: false)
            let isName = labels.count >= 3 && token.contains { $0.isLetter }
            pattern += isName ? "*." + labels.dropFirst().joined(separator: ".") : token
            token = ""
        }
        for character in id {
            if character.isLetter || character.isNumber || character == "." || character == "-" || character == "_" {
                token.append(character)
            } else {
                flush()
                pattern.append(character)
            }
        }
        flush()
        return pattern
    }

    public var text: String {
        var lines = ["before: " + ReportText.identityLine(before.identity), "after:  " + ReportText.identityLine(after.identity)]
        func list(_ title: String, _ entries: [String]) {
            lines.append("")
            lines.append("\(title) (\(entries.count)):")
            lines += entries.isEmpty ? ["  none"] : entries.map { "  " + $0 }
        }
        list("removed", removed.map { "\($0.kind.padding(9)) \($0.description)" })
        list("added", added.map { "\($0.kind.padding(9)) \($0.description)" })
        list("changed", changed.map { "\($0.kind.padding(9)) \($0.detail)\($0.change == "replaced" ? " (replaced)" : "")" })
        return lines.joined(separator: "\n")
    }

    public var json: String {
        func item(_ item: Item) -> JSONValue {
            .members([("kind", .string(item.kind)), ("id", .string(item.id)), ("description", .string(item.description))])
        }
        func side(_ report: BehaviourReport) -> JSONValue {
            .members([("inputs", .array(report.inputs.map(JSONValue.string))), ("device", .string(ReportText.identityLine(report.identity))),
                      ("events", .integer(report.events))])
        }
        return JSONValue.members([
            ("before", side(before)), ("after", side(after)),
            ("added", .array(added.map(item))), ("removed", .array(removed.map(item))),
            ("changed", .array(changed.map {
                .members([("kind", .string($0.kind)), ("change", .string($0.change)), ("from", item($0.from)), ("to", item($0.to)),
                          ("detail", .string($0.detail))])
            })),
        ]).jsonText
    }
}

private extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
