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
    static let eventColumns = ["id", "time", "datetime", "time_basis", "device_time", "kind", "origin", "source", "line", "frame",
                               "message", "link", "fields"]
    static let indexes = """
        CREATE INDEX events_time ON events(time);
        CREATE INDEX events_kind ON events(kind);
        CREATE INDEX fields_key_value ON fields(key, value);
        CREATE INDEX fields_event ON fields(event_id);
        """

    /// Once per process, before its first database is opened (`BatchedInsert`).
    private static let memoryStatisticsOff = firmtrace_sqlite_skip_memory_statistics() != 0

    private let path: String
    private let overwrite: Bool
    private let temporaryPath: String
    private let queue: DatabaseQueue

    init(path: String, overwrite: Bool) throws(InputError) {
        let location = InputLocation(path: path)
        try AtomicOutputFile.checkWritable(path, overwrite: overwrite)
        self.path = path
        self.overwrite = overwrite
        _ = Self.memoryStatisticsOff
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

    /// Writes every row `rows` hands over, in one transaction, then indexes and renames.
    func write(_ rows: ((SQLiteRow) -> Bool) throws(InputError) -> Void, indexing: () -> Void = {}) throws(InputError) -> Int {
        var written = 0
        var failure: InputError?
        do {
            try queue.inTransaction { database in
                var events = try BatchedInsert<SQLiteRow>(into: "events", columns: Self.eventColumns, in: database) { statement, first, row in
                    row.text.withUnsafeBytes { text in
                        statement.bind(first, row.id, in: text)
                        statement.bind(first + 1, row.time, in: text)
                        statement.bind(first + 2, row.datetime, in: text)
                        statement.bind(first + 3, row.timeBasis, in: text)
                        statement.bind(first + 4, row.deviceTime, in: text)
                        statement.bind(first + 5, row.kind, in: text)
                        statement.bind(first + 6, row.origin, in: text)
                        statement.bind(first + 7, row.source, in: text)
                        statement.bind(first + 8, row.line, in: text)
                        statement.bind(first + 9, row.frame, in: text)
                        statement.bind(first + 10, row.message, in: text)
                        statement.bind(first + 11, row.link, in: text)
                        statement.bind(first + 12, row.fieldsObject, in: text)
                    }
                }
                var fields = try BatchedInsert<FieldRow>(into: "fields", columns: ["event_id", "key", "value"], in: database) { statement, first, row in
                    row.text.withUnsafeBytes { text in
                        statement.bind(first, row.id, in: text)
                        statement.bind(first + 1, row.field.key, in: text)
                        statement.bind(first + 2, row.field.value, in: text)
                    }
                }
                do throws(InputError) {
                    try rows { row in
                        do throws(SQLiteError) {
                            try events.add(row)
                            for field in row.fields { try fields.add(FieldRow(text: row.text, id: row.id, field: field)) }
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
                if failure == nil {
                    try events.finish()
                    try fields.finish()
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

/// A row of the `fields` table: its event's id and one of its fields, in the event's bytes.
private struct FieldRow {
    let text: [UInt8]
    let id: SQLiteRow.Value
    let field: SQLiteRow.Field
}

/// Rows inserted many to a statement: SQLite's work for each run of a statement (starting its program,
/// finding the table's end, resetting) was most of inserting a row of three short columns, and a field is
/// such a row. 64 rows a statement (832 parameters for an event's 13 columns, within any SQLite's limit of
/// 999) with the process's memory statistics off took inserting two million field rows from 1.5 s to 0.7 s.
private struct BatchedInsert<Item> {
    private static var rowsPerStatement: Int { 64 }
    private let table: String
    private let columns: [String]
    private let database: Database
    /// Kept: the bound statement refers to it without holding it.
    private let fullStatement: Statement
    private let full: BoundStatement
    private let bind: (BoundStatement, Int32, Item) -> Void
    private var pending: [Item] = []

    init(into table: String, columns: [String], in database: Database,
         bind: @escaping (BoundStatement, _ firstParameter: Int32, Item) -> Void) throws {
        (self.table, self.columns, self.database, self.bind) = (table, columns, database, bind)
        fullStatement = try Self.prepare(table, columns, rows: Self.rowsPerStatement, in: database)
        full = BoundStatement(fullStatement, in: database)
        pending.reserveCapacity(Self.rowsPerStatement)
    }

    private static func prepare(_ table: String, _ columns: [String], rows: Int, in database: Database) throws -> Statement {
        let row = "(" + repeatElement("?", count: columns.count).joined(separator: ", ") + ")"
        return try database.makeStatement(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                                              + repeatElement(row, count: rows).joined(separator: ", "))
    }

    mutating func add(_ item: Item) throws(SQLiteError) {
        pending.append(item)
        guard pending.count == Self.rowsPerStatement else { return }
        try insertPending(with: full)
    }

    /// Inserts the rows still held, with a statement made for as many.
    mutating func finish() throws {
        guard !pending.isEmpty else { return }
        let statement = try Self.prepare(table, columns, rows: pending.count, in: database)
        try withExtendedLifetime(statement) { () throws(SQLiteError) in try insertPending(with: BoundStatement(statement, in: database)) }
    }

    private mutating func insertPending(with statement: BoundStatement) throws(SQLiteError) {
        let width = Int32(columns.count)
        for (index, item) in pending.enumerated() { bind(statement, Int32(index) * width + 1, item) }
        pending.removeAll(keepingCapacity: true)
        try statement.run()
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

    /// Binds a row's value; text from `text`, the row's bytes.
    func bind(_ index: Int32, _ value: SQLiteRow.Value, in text: UnsafeRawBufferPointer) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .text(let range):
            // An empty buffer may have no address, and a null pointer would bind NULL, not "".
            let start = text.baseAddress.map { $0 + Int(range.lowerBound) } ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            sqlite3_bind_text64(statement, index, start.assumingMemoryBound(to: CChar.self), sqlite3_uint64(range.count), Self.transient,
                                UInt8(SQLITE_UTF8))
        }
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
