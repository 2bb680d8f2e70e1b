/// Bounds on what one `unpack` run may write. Archives are untrusted: a few kilobytes can claim terabytes,
/// so every bound is checked while bytes stream, and the run stops the moment one is passed.
public struct UnpackLimits: Sendable, Hashable {
    /// Total bytes written by the whole run, nested archives included.
    public var maxTotalBytes: Int64 = 16 << 30
    /// Files, symlinks and hard links written by the whole run.
    public var maxFiles: Int = 200_000
    /// Bytes written per compressed byte read from an input archive.
    public var maxExpansionRatio: Double = 200
    /// The ratio is only enforced past this many bytes from one input: a small file of zeros honestly
    /// compresses a thousandfold, a bomb has to keep going to do harm.
    public var ratioGraceBytes: Int64 = 64 << 20
    /// Archives inside archives, at most this deep even without `--depth`: an archive that contains itself
    /// (a zip quine) would otherwise recurse until the stack ran out.
    public var maxNesting: Int = 32

    public init() {}
}

public struct UnpackRequest: Sendable, Hashable {
    public var archives: [String]
    public var outputDirectory: String
    /// How many levels of archives inside archives to unpack; nil for no limit but the size limits.
    public var maxDepth: Int?
    public var limits: UnpackLimits
    /// Replace files already in the output folder (`--force`).
    public var overwrite: Bool

    public init(archives: [String], outputDirectory: String, maxDepth: Int? = nil,
                limits: UnpackLimits = UnpackLimits(), overwrite: Bool = false) {
        self.archives = archives
        self.outputDirectory = outputDirectory
        self.maxDepth = maxDepth
        self.limits = limits
        self.overwrite = overwrite
    }
}

public struct UnpackProgress: Sendable {
    public let bytesWritten: Int64
    public let filesWritten: Int
    public let source: String
}

public struct UnpackOutcome: Sendable {
    public let rows: [ManifestRow]
    public let manifestPath: String
    public let diagnostics: Diagnostics
    public let bytesWritten: Int64

    /// 0 when every input unpacked completely, 2 when anything was skipped or refused.
    public var exitStatus: Int32 { diagnostics.hasErrors ? 2 : 0 }
}

public enum Unpack {
    /// Unpacks every archive into the request's folder and writes `manifest.csv` there. Throws only when
    /// the output folder itself cannot be used; every problem with an input is a diagnostic, and the
    /// other inputs still unpack.
    public static func run(_ request: UnpackRequest,
                           progress: ((UnpackProgress) -> Void)? = nil) throws(InputError) -> UnpackOutcome {
        let outputLocation = InputLocation(path: request.outputDirectory)
        let root: DirectoryHandle
        do {
            root = try DirectoryHandle.openCreating(path: request.outputDirectory)
        } catch {
            throw InputError(.writeFailed("output folder: \(error)"), at: outputLocation)
        }
        let session = UnpackSession(root: root, request: request, progress: progress)
        // A manifest already there means the folder holds an earlier run: refuse before writing anything.
        try session.checkManifestReplaceable()
        for archive in request.archives {
            session.unpackInput(archive)
        }
        try session.writeManifest()
        return UnpackOutcome(rows: session.rows, manifestPath: session.manifestPath, diagnostics: session.diagnostics,
                             bytesWritten: session.bytesWritten)
    }
}
