import CShims
import GRDB
import GRDBSQLite

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
        try AtomicOutputFile.checkWritable(path, overwrite: overwrite)
        self.path = path
        self.overwrite = overwrite
        // Not the copy's own partial name, which the compression writes to.
        temporaryPath = PartialFiles.temporaryPath(beside: path, role: Self.isCopied(to: path) ? "database" : "partial")
        unlink(temporaryPath)
        do {
            // Created here, empty (which SQLite reads as an empty database), so that it is registered in the
            // same step.
            let descriptor = try PartialFiles.create(temporaryPath) { [temporaryPath] () throws(SystemCallError) in
                try retryingOnInterrupt("open") { open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
            }
            FileDescriptorIO.close(descriptor)
            var configuration = Configuration()
            // Foreign keys not checked row by row: every field's row would look its event up, and the
            // writer makes both tables itself.
            configuration.foreignKeysEnabled = false
            // The rollback journal in memory: SQLite would create its file anew for each transaction, beside
            // the database and out of the interrupt cleanup's sight. No syncing: until it is renamed into
            // place the database is scratch, thrown away whole on any failure. A 32 MiB page cache keeps more
            // of the growing indexes in memory: a tenth off the time (64 MiB gained little more and took the
            // benchmark's timeline past 300 MiB). Pages of 16 KiB rather than 4: rows go in at the end of
            // the tables, and fewer, larger pages took 7–13% off a 1.1 million event timeline.
            configuration.prepareDatabase {
                try $0.execute(sql: "PRAGMA page_size = 16384; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768")
            }
            queue = try DatabaseQueue(path: temporaryPath, configuration: configuration)
            try queue.write { try $0.execute(sql: Self.schema) }
        } catch {
            PartialFiles.remove(temporaryPath)
            throw InputError(.writeFailed("SQLite: \(error)"), at: location)
        }
    }

    /// An event with the columns SQLite takes as text made ready, which can be done on any thread: the
    /// writer's is the one all rows go through.
    struct Row: Sendable {
        let event: Event
        let datetime: String?
        let link: String?
        let fields: String

        init(_ event: Event) {
            self.event = event
            datetime = event.time.map { UTCDateTime.iso8601(nanoseconds: $0) }
            link = event.links.isEmpty ? nil : event.links.joined(separator: " ")
            fields = JSONLSink.fieldsObject(event.fields)
        }
    }

    /// Writes every row `rows` hands over, in one transaction, then indexes and renames.
    func write(_ rows: ((Row) -> Bool) throws(InputError) -> Void, indexing: () -> Void = {}) throws(InputError) -> Int {
        var written = 0
        var failure: InputError?
        do {
            try queue.inTransaction { database in
                let insertEvent = try database.makeStatement(sql: """
                    INSERT INTO events (id, time, datetime, time_basis, device_time, kind, origin, source, line, frame, message, link, fields)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let insertField = try database.makeStatement(sql: "INSERT INTO fields (event_id, key, value) VALUES (?, ?, ?)")
                let event = BoundStatement(insertEvent, in: database), field = BoundStatement(insertField, in: database)
                do throws(InputError) {
                    try rows { row in
                        let next = row.event
                        do throws(SQLiteError) {
                            let id = next.id ?? "e\(written + 1)"
                            event.bind(1, id)
                            event.bind(2, next.time)
                            event.bind(3, row.datetime)
                            event.bind(4, next.timeBasis.rawValue)
                            event.bind(5, next.deviceTime)
                            event.bind(6, next.kind.rawValue)
                            event.bind(7, next.origin)
                            event.bind(8, next.source)
                            event.bind(9, next.line.map(Int64.init))
                            event.bind(10, next.frame.map(Int64.init))
                            event.bind(11, next.message)
                            event.bind(12, row.link)
                            event.bind(13, row.fields)
                            try event.run()
                            for entry in next.fields {
                                field.bind(1, id)
                                field.bind(2, entry.key)
                                switch entry.value {
                                case .string(let text): field.bind(3, text)
                                case .integer(let number): field.bind(3, number)
                                case .bool(let truth): field.bind(3, truth ? 1 : 0)
                                }
                                try field.run()
                            }
                            written += 1
                            return true
                        } catch {
                            failure = InputError(.writeFailed("SQLite: \(error.message)"), at: InputLocation(path: path))
                            return false
                        }
                    }
                } catch {
                    failure = error
                }
                if failure != nil { return .rollback }
                indexing()
                // The indexes are built by sorting: on every core, each sorter with half the page cache,
                // which takes a fifth off building them (5.4–5.8 s to 4.3–4.5 s for 1.1 million events) in
                // about the same memory.
                try database.execute(sql: "PRAGMA threads = \(firmtrace_active_cores()); PRAGMA cache_size = -16384")
                try database.execute(sql: Self.indexes)
                return .commit
            }
            try queue.close()
        } catch {
            PartialFiles.remove(temporaryPath)
            throw InputError(.writeFailed("SQLite: \(error)"), at: InputLocation(path: path))
        }
        // Renamed into place, the database is no longer scratch; copied (compressed, or to standard output),
        // it is removed.
        defer { PartialFiles.remove(temporaryPath) }
        if let failure { throw failure }
        if Self.isCopied(to: path) {
            try copyDatabase()
        } else if rename(temporaryPath, path) != 0 {
            throw InputError(.writeFailed(SystemCallError("rename").description), at: InputLocation(path: path))
        }
        return written
    }

    /// Whether the finished database is copied to `path` rather than renamed there: compressed, or sent to
    /// standard output.
    private static func isCopied(to path: String) -> Bool {
        OutputCompression(path: path) != nil || AtomicOutputFile.isStandardOutput(path)
    }

    private func copyDatabase() throws(InputError) {
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

/// A prepared insert bound and run through SQLite's C API. GRDB's `StatementArguments` box every value
/// in an existential inside an array, per row: with a row per field, that was a sixth of writing an
/// SQLite timeline.
private struct BoundStatement {
    private let statement: OpaquePointer
    private let connection: OpaquePointer?
    /// `SQLITE_TRANSIENT`, a macro Swift does not import: SQLite copies the text before the bind returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement, in database: Database) {
        self.statement = statement.sqliteStatement
        connection = database.sqliteConnection
    }

    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        text.withUTF8 { bytes in
            // An empty buffer may have no address, and a null pointer would bind NULL, not "".
            let start = bytes.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            sqlite3_bind_text64(statement, index, start.assumingMemoryBound(to: CChar.self), sqlite3_uint64(bytes.count), Self.transient,
                                UInt8(SQLITE_UTF8))
        }
    }

    func bind(_ index: Int32, _ number: Int64?) {
        if let number { sqlite3_bind_int64(statement, index, number) } else { sqlite3_bind_null(statement, index) }
    }

    /// Runs the insert and readies the statement for the next row.
    func run() throws(SQLiteError) {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw SQLiteError(message: String(cString: sqlite3_errmsg(connection))) }
    }
}

private struct SQLiteError: Error {
    let message: String
}
