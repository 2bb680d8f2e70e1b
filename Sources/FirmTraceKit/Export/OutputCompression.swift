/// How an output is compressed while it is written, chosen by its name: `timeline.csv.zst`,
/// `filtered.pcapng.gz`. The levels are the command-line tools' defaults (`gzip` 6, `zstd` 3), so a file
/// comes out the size an analyst expects from compressing it by hand.
public enum OutputCompression: String, Sendable, CaseIterable {
    case gzip = ".gz"
    case zstd = ".zst"

    public init?(path: String) {
        guard let compression = Self.allCases.first(where: { path.hasSuffix($0.rawValue) }) else { return nil }
        self = compression
    }

    /// The name without its compression suffix, which says what the content is (`timeline.jsonl.gz` → `timeline.jsonl`).
    public static func contentPath(_ path: String) -> String {
        guard let compression = OutputCompression(path: path) else { return path }
        return String(path.dropLast(compression.rawValue.count))
    }

    func makeCompressor(for output: InputLocation) throws(InputError) -> any StreamCompressor {
        switch self {
        case .gzip: GzipCompressor(output: output)
        case .zstd: try ZstdCompressor(output: output)
        }
    }
}

/// A compression stream: bytes go in, compressed bytes come out through `write` as they are ready.
protocol StreamCompressor: AnyObject {
    /// Compresses `input`; with `finishing`, also ends the stream (its trailer, its checksum).
    func compress(_ input: UnsafeRawBufferPointer, finishing: Bool,
                  to write: (UnsafeRawBufferPointer) throws(InputError) -> Void) throws(InputError)
}
