/// Why an input, or one member of it, could not be read or written. The location says where (archive,
/// member, byte offset); the kind says what, in words a user can act on.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The file could not be opened or read at all.
        case unreadable(String)
        /// The bytes are not any archive or compression format firmtrace reads.
        case notAnArchive
        /// An encrypted rrlogd file: a 512-byte RSA-wrapped key, then AES data.
        case encryptedRRLog
        /// libarchive refused the data: a corrupt header, a truncated stream, an unsupported feature.
        case damaged(String)
        /// A member whose path or link would reach outside the output folder, or a special file.
        case unsafeMember(String)
        /// A member that would replace a file already there, without `--force`.
        case alreadyExists
        /// A bound on bytes, files or expansion was reached: the archive is probably a decompression bomb.
        case limitReached(String)
        /// Writing the output failed (disk full, permissions).
        case writeFailed(String)
        /// Standard output's reader closed it (`| head`): a stop the user asked for, not a failure.
        case readerClosed
    }

    public let kind: Kind
    public let location: InputLocation

    public init(_ kind: Kind, at location: InputLocation) {
        self.kind = kind
        self.location = location
    }

    public var explanation: String {
        switch kind {
        case .unreadable(let reason): "cannot read: \(reason)"
        case .notAnArchive: "not an archive or compressed file firmtrace can read (tar, zip, 7z, gzip, zstd, xz, bzip2, lz4)"
        case .encryptedRRLog:
            "encrypted rrlogd file (a 512-byte RSA-wrapped key, then AES data); it cannot be read without the device's private key"
        case .damaged(let reason): "damaged or truncated archive: \(reason)"
        case .unsafeMember(let reason): "refused: \(reason)"
        case .alreadyExists: "refused: a file of that name already exists in the output folder (use --force to replace it)"
        case .limitReached(let reason): "stopped: \(reason)"
        case .writeFailed(let reason): "cannot write: \(reason)"
        case .readerClosed: "closed by its reader; the rest was not written"
        }
    }

    public var description: String { "\(location): \(explanation)" }

    /// Whether the run stopped because its reader closed standard output: said no more of than `grep`
    /// says of it.
    public var isReaderClosed: Bool { kind == .readerClosed }
}
