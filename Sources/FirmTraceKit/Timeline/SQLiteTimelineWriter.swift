import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A timeline as an SQLite database, through GRDB: an `events` table (one row per event, indexed on time
/// and kind) and a `fields` table (one row per field, indexed on key and value), ready for `sqlite3`.
/// Written to a temporary file in one transaction and renamed into place when complete; for a name ending
/// in `.gz` or `.zst` the finished database is compressed into place instead (SQLite writes its file out
/// of order, so it cannot be compressed while it is written).
final class SQLiteTimelineWriter {
    static let schema = """
        CREATE TABLE events (
            id TEXT PRIMARY KEY, time INTEGER, datetime TEXT, time_basis TEXT NOT NULL, device_time TEXT,
            kind TEXT NOT NULL, origin TEXT NOT NULL, source TEXT NOT NULL, line INTEGER, frame INTEGER,
            message TEXT NOT NULL, link TEXT, fields TEXT NOT NULL);
        CREATE TABLE fields (event_id TEXT NOT NULL REFERENCES events(id), key TEXT NOT NULL, value);
        """
    static let indexes = """
        CREATE INDEX events_time ON events(time);
        CREATE INDEX events_kind ON events(kind);
        CREATE INDEX fields_key_value ON fields(key, value);
        CREATE INDEX fields_event ON fields(event_id);
        """

    private let path: String
    private let overwrite: Bool
    private let temporaryPath: String
    private let queue: DatabaseQueue

    init(path: String, overwrite: Bool) throws(InputError) {
        let location = InputLocation(path: path)
        if !overwrite, access(path, F_OK) == 0 { throw InputError(.alreadyExists, at: location) }
        self.path = path
        self.overwrite = overwrite
        // Not the compressed file's own partial name, which the compression writes to.
        temporaryPath = PartialFiles.temporaryPath(beside: path, role: OutputCompression(path: path) == nil ? "partial" : "database")
        unlink(temporaryPath)
        do {
            // Created here, empty (which SQLite reads as an empty database), so that it is registered in the
            // same step.
            let descriptor = try PartialFiles.create(temporaryPath) { [temporaryPath] () throws(SystemCallError) in
                try retryingOnInterrupt("open") { open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
            }
            FileDescriptorIO.close(descriptor)
            var configuration = Configuration()
            // No rollback journal on disk: SQLite would create it anew for each transaction, beside the
            // database and out of the interrupt cleanup's sight, and a failed database is thrown away whole.
            configuration.prepareDatabase { try $0.execute(sql: "PRAGMA journal_mode = MEMORY") }
            queue = try DatabaseQueue(path: temporaryPath, configuration: configuration)
            try queue.write { try $0.execute(sql: Self.schema) }
        } catch {
            PartialFiles.remove(temporaryPath)
            throw InputError(.writeFailed("SQLite: \(error)"), at: location)
        }
    }

    /// Writes every event `events` hands over, in one transaction, then indexes and renames.
    func write(_ events: ((Event) -> Bool) throws(InputError) -> Void) throws(InputError) -> Int {
        var written = 0
        var failure: InputError?
        do {
            try queue.inTransaction { database in
                let insertEvent = try database.makeStatement(sql: """
                    INSERT INTO events (id, time, datetime, time_basis, device_time, kind, origin, source, line, frame, message, link, fields)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let insertField = try database.makeStatement(sql: "INSERT INTO fields (event_id, key, value) VALUES (?, ?, ?)")
                do throws(InputError) {
                    try events { event in
                        do {
                            let id = event.id ?? "e\(written + 1)"
                            try insertEvent.execute(arguments: [
                                id, event.time, event.time.map { UTCDateTime.iso8601(nanoseconds: $0) }, event.timeBasis.rawValue,
                                event.deviceTime, event.kind.rawValue, event.origin, event.source, event.line, event.frame, event.message,
                                event.links.isEmpty ? nil : event.links.joined(separator: " "), JSONLSink.fieldsObject(event.fields),
                            ])
                            for entry in event.fields {
                                let value: (any DatabaseValueConvertible)? = switch entry.value {
                                case .string(let text): text
                                case .integer(let number): number
                                case .bool(let truth): truth
                                }
                                try insertField.execute(arguments: [id, entry.key, value])
                            }
                            written += 1
                            return true
                        } catch {
                            failure = InputError(.writeFailed("SQLite: \(error)"), at: InputLocation(path: path))
                            return false
                        }
                    }
                } catch {
                    failure = error
                }
                if failure != nil { return .rollback }
                try database.execute(sql: Self.indexes)
                return .commit
            }
            try queue.close()
        } catch {
            PartialFiles.remove(temporaryPath)
            throw InputError(.writeFailed("SQLite: \(error)"), at: InputLocation(path: path))
        }
        // Renamed into place, the database is no longer scratch; compressed into place, it is removed.
        defer { PartialFiles.remove(temporaryPath) }
        if let failure { throw failure }
        if OutputCompression(path: path) != nil {
            try compressDatabase()
        } else if rename(temporaryPath, path) != 0 {
            throw InputError(.writeFailed(SystemCallError("rename").description), at: InputLocation(path: path))
        }
        return written
    }

    private func compressDatabase() throws(InputError) {
        let location = InputLocation(path: path)
        let file = try AtomicOutputFile(path: path, overwrite: overwrite)
        var failure: InputError?
        do throws(SystemCallError) {
            try FileChunkReader(path: temporaryPath).forEachChunk { chunk in
                do throws(InputError) { try file.write(chunk) } catch { failure = error }
                return failure == nil
            }
        } catch {
            throw InputError(.writeFailed(error.description), at: location)
        }
        if let failure { throw failure }
        try file.commit()
    }
}
