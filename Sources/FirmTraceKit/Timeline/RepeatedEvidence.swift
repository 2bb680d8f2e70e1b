/// The same evidence given twice — a bundle as `.tar.gz` beside its `.tar.zst`, as `Samples/` holds them, a
/// capture beside its `.gz` — put every event in the timeline twice and every claim in the correlation
/// twice. Files whose names are the same but for a compression suffix are read with a digest of their
/// events (where in the file each came from, its line or frame, its time and its message); a file whose
/// events match an earlier one's is the same evidence: it is left out, and said so. (`report` decides the
/// same per source, on its first event.) A large log read in slices is not compared.
struct RepeatedEvidence {
    /// What one file held, in brief.
    struct Unit {
        let path: String
        /// The file's name without its folder and compression suffix.
        let name: String
        let events: Int
        let digest: Int
    }

    /// Folds a file's events as they are read.
    struct Digest {
        let path: String
        private var hasher = Hasher()
        private var events = 0
        /// The last source and its identity: a file's events come a source at a time.
        private var source: (name: String, identity: String)?

        init(path: String) {
            self.path = path
        }

        mutating func add(_ event: Event) {
            if source?.name != event.source { source = (event.source, DuplicateSources.identity(event.source)) }
            hasher.combine(source!.identity)
            hasher.combine(event.line)
            hasher.combine(event.frame)
            hasher.combine(event.time)
            hasher.combine(event.message)
            events += 1
        }

        func finish() -> Unit {
            Unit(path: path, name: RepeatedEvidence.name(of: path), events: events, digest: hasher.finalize())
        }
    }

    /// What a file read in parts (an archive's members, a member's slices) held, from its parts in order.
    static func combining(_ parts: [Unit], path: String) -> Unit {
        guard parts.count != 1 else { return Unit(path: path, name: name(of: path), events: parts[0].events, digest: parts[0].digest) }
        var hasher = Hasher()
        parts.forEach { hasher.combine($0.digest) }
        return Unit(path: path, name: name(of: path), events: parts.reduce(0) { $0 + $1.events }, digest: hasher.finalize())
    }

    private var seen: [String: [Unit]] = [:]

    /// The earlier file `unit` repeats; nil, and `unit` remembered, when it is new evidence.
    mutating func original(of unit: Unit) -> String? {
        if let match = seen[unit.name]?.first(where: { $0.events == unit.events && $0.digest == unit.digest }) { return match.path }
        seen[unit.name, default: []].append(unit)
        return nil
    }

    /// The paths among `paths` that share their name with another once compression suffixes are off.
    static func candidates(_ paths: [String]) -> Set<String> {
        Set(Dictionary(grouping: paths, by: name(of:)).values.filter { $0.count > 1 }.joined())
    }

    static func name(of path: String) -> String {
        SingleFileName.strippingCompression(path.split(separator: "/").last.map(String.init) ?? path)
    }
}
