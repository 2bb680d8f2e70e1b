#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open directory, and the only place extraction touches the file system. Every operation is relative
/// to this descriptor and names a single component, and descending opens each directory with
/// `O_NOFOLLOW`: a symlink an archive planted earlier can never carry a later member outside the output
/// folder, whatever the member's path says.
final class DirectoryHandle {
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Opens (creating when missing, like `mkdir -p`) the folder a user named. The user's own path may go
    /// through symlinks; only what archives create is held to `O_NOFOLLOW`.
    static func openCreating(path: String) throws(SystemCallError) -> DirectoryHandle {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component + "/"
            if mkdir(prefix, 0o755) == -1, errno != EEXIST {
                throw SystemCallError("mkdir")
            }
        }
        let descriptor = try retryingOnInterrupt("open") { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return DirectoryHandle(descriptor: descriptor)
    }

    enum EntryType: Equatable {
        case directory, regularFile, symlink, other
    }

    /// What is at `name`, without following a symlink there; nil when nothing is.
    func entryType(_ name: FileName) throws(SystemCallError) -> EntryType? {
        var status = stat()
        let result = name.withCString { fstatat(descriptor, $0, &status, AT_SYMLINK_NOFOLLOW) }
        if result == -1 {
            if errno == ENOENT { return nil }
            throw SystemCallError("fstatat")
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The sub-folder `name`, created when missing. A symlink or file there is an error, never followed.
    func subdirectory(_ name: FileName, create: Bool) throws(SystemCallError) -> DirectoryHandle {
        if create {
            let made = name.withCString { mkdirat(descriptor, $0, 0o755) }
            if made == -1, errno != EEXIST { throw SystemCallError("mkdirat") }
        }
        let opened = try retryingOnInterrupt("openat") {
            name.withCString { openat(descriptor, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        }
        return DirectoryHandle(descriptor: opened)
    }

    /// Creates a new file that must not exist yet, refusing to open through a symlink, and registers it as
    /// partial in the same step; the caller unregisters it once it is in place or removed.
    func createPartial(_ name: FileName) throws(SystemCallError) -> Int32 {
        try PartialFiles.create(name.display, in: descriptor) { () throws(SystemCallError) in
            try retryingOnInterrupt("openat") {
                name.withCString { openat(descriptor, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
            }
        }
    }

    func openForReading(_ name: FileName) throws(SystemCallError) -> Int32 {
        try retryingOnInterrupt("openat") {
            name.withCString { openat(descriptor, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        }
    }

    /// Moves `source` over `destination` in one step, so a reader never sees a half-written file.
    func rename(_ source: FileName, to destination: FileName) throws(SystemCallError) {
        try retryingOnInterrupt("renameat") {
            source.withCString { from in destination.withCString { to in renameat(descriptor, from, descriptor, to) } }
        }
    }

    func removeFile(_ name: FileName) {
        _ = name.withCString { unlinkat(descriptor, $0, 0) }
    }

    func makeSymlink(_ name: FileName, pointingTo target: [UInt8]) throws(SystemCallError) {
        let targetName = FileName(target)
        try retryingOnInterrupt("symlinkat") {
            targetName.withCString { target in name.withCString { symlinkat(target, descriptor, $0) } }
        }
    }

    /// A hard link to `existing` in `directory`; `linkat` without `AT_SYMLINK_FOLLOW` links the entry
    /// itself, never what a symlink there points to.
    func makeHardLink(_ name: FileName, to existing: FileName, in directory: DirectoryHandle) throws(SystemCallError) {
        try retryingOnInterrupt("linkat") {
            existing.withCString { from in
                name.withCString { to in linkat(directory.descriptor, from, descriptor, to, 0) }
            }
        }
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// Writes and finishes files opened by `DirectoryHandle.createPartial`.
enum FileDescriptorIO {
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingOnInterrupt("write") {
                write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            offset += written
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(SystemCallError) {
        var failure: SystemCallError?
        bytes.withUnsafeBytes { buffer in
            do throws(SystemCallError) { try writeAll(descriptor, buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Gives the finished file the archive's modification time and a plain permission set: the executable
    /// bit survives, set-user-ID and friends from an untrusted archive do not.
    static func finish(_ descriptor: Int32, executable: Bool, modificationTime: Int64?) throws(SystemCallError) {
        try retryingOnInterrupt("fchmod") { fchmod(descriptor, executable ? 0o755 : 0o644) }
        if let modificationTime {
            var times = [timespec(tv_sec: time_t(modificationTime), tv_nsec: 0),
                         timespec(tv_sec: time_t(modificationTime), tv_nsec: 0)]
            try retryingOnInterrupt("futimens") { futimens(descriptor, &times) }
        }
    }

    static func close(_ descriptor: Int32) {
        closeDescriptor(descriptor)
    }
}
