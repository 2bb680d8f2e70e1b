/// Files from current rrlogd firmware (`*.rr.gz`, `*.rr.pkg`, `*.rr.stat`) start with a 512-byte
/// RSA-wrapped AES key and then AES data. They cannot be read without the vendor's private key, so
/// firmtrace recognises them, says so plainly, and keeps them exactly as they are.
public enum EncryptedRRLog {
    public static let suffixes = [".rr.gz", ".rr.pkg", ".rr.stat"]
    public static let wrappedKeyLength = 512

    /// A file named like an rrlogd output whose bytes are not an archive and are long enough to hold
    /// the wrapped key. (A `.rr.gz` that really is gzip is unpacked like any other.)
    public static func matches(name: String, size: Int64, kind: ContentKind) -> Bool {
        suffixes.contains { name.hasSuffix($0) } && !kind.isArchive && size >= Int64(wrappedKeyLength)
    }
}
