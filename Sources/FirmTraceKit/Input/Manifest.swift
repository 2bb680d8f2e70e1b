/// One file `unpack` wrote: the chain of custody an analyst attaches to a report. The hash is taken from
/// the bytes as they streamed out of the archive, never by reading the written file back.
public struct ManifestRow: Sendable, Hashable {
    public enum EntryType: String, Sendable {
        case file, symlink, hardlink
    }

    /// Path below the output folder, `/`-separated; bytes that are not UTF-8 appear as `\xNN`.
    public let path: String
    public let size: Int64
    /// Lowercase hex SHA-256 of the content; empty for a symlink.
    public let sha256: String
    /// The member's modification time from the archive, ISO 8601 UTC; empty when the archive had none.
    public let modificationTime: String
    public let type: EntryType
    /// Where the file came from: the input archive, then each member on the way (`a.tar.gz!varlog.tar.gz!messages`).
    public let chain: String
    /// SHA-256 of the input archive the chain starts from, so the manifest ties back to the evidence file.
    public let originSHA256: String
    public let note: String
}

public enum Manifest {
    public static let fileName = "manifest.csv"
    public static let header = ["path", "size", "sha256", "mtime", "type", "chain", "origin_sha256", "note"]

    public static func csv(_ rows: [ManifestRow]) -> String {
        var text = CSV.row(header)
        for row in rows {
            text += CSV.row([row.path, String(row.size), row.sha256, row.modificationTime, row.type.rawValue,
                             row.chain, row.originSHA256, row.note])
        }
        return text
    }
}
