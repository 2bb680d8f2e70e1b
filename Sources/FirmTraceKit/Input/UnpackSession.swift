import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one `unpack` run: the output folder, what has been written, the limits' counters.
/// Members are written to a hidden temporary name and renamed into place once complete and hashed, so an
/// error or a bomb stopped halfway never leaves a partial file that looks whole.
final class UnpackSession {
    private let root: DirectoryHandle
    private let request: UnpackRequest
    private let progress: ((UnpackProgress) -> Void)?

    private(set) var rows: [ManifestRow] = []
    private(set) var diagnostics = Diagnostics()
    private(set) var bytesWritten: Int64 = 0
    private var filesWritten = 0
    private var temporaryCounter = 0
    /// Set when a run-wide limit was reached: nothing more is written.
    private var runLimitReached = false

    /// The input archive being unpacked, for the expansion ratio and the manifest's origin hash.
    private var inputReader: ArchiveReader?
    private var bytesWrittenForInput: Int64 = 0
    private var inputSHA256 = ""

    private static let readBufferSize = 1 << 16

    init(root: DirectoryHandle, request: UnpackRequest, progress: ((UnpackProgress) -> Void)?) {
        self.root = root
        self.request = request
        self.progress = progress
    }

    // MARK: Inputs

    func unpackInput(_ path: String) {
        let location = InputLocation(path: path)
        if runLimitReached {
            diagnostics.report(.error, at: location, "not unpacked: an earlier input reached a run-wide limit")
            return
        }
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch {
            diagnostics.report(.error, at: location, InputError(.unreadable(error.description), at: location).explanation)
            return
        }
        let kind = ContentSniffer.kind(of: UnsafeRawBufferPointer(rebasing: file.bytes.prefix(ContentSniffer.prefixLength)))
        guard kind.isArchive else {
            let name = baseName(path)
            let error = EncryptedRRLog.matches(name: name, size: Int64(file.bytes.count), kind: kind)
                ? InputError(.encryptedRRLog, at: location) : InputError(.notAnArchive, at: location)
            diagnostics.report(.error, at: location, error.explanation)
            return
        }
        inputSHA256 = SHA256.hash(data: file.bytes).hexString
        bytesWrittenForInput = 0
        do {
            let reader = try ArchiveReader(bytes: file.bytes, location: location)
            inputReader = reader
            defer { inputReader = nil }
            try extract(reader, location: location, into: [], depth: 0,
                        bareStreamName: FileName(SingleFileName.strippingCompression(baseName(path))))
        } catch {
            diagnostics.report(.error, at: error.location, error.explanation)
        }
    }

    /// Writes every member of `reader` below `base`. Damage to one member is reported and the next member
    /// is tried; damage that ends the archive is reported and extraction moves on; a limit is rethrown so
    /// the whole input stops.
    private func extract(_ reader: ArchiveReader, location: InputLocation, into base: [FileName], depth: Int,
                         bareStreamName: FileName) throws(InputError) {
        var written: [MemberPath: ManifestRow] = [:]
        while true {
            let entry: ArchiveEntry
            do {
                guard let next = try reader.nextEntry(warn: { diagnostics.report(.warning, at: location, $0) }) else { return }
                entry = next
            } catch {
                diagnostics.report(.error, at: error.location, error.explanation)
                return
            }
            let member = reader.isBareStream ? MemberPath(components: [bareStreamName]) : nil
            let memberLocation = location.appending(member: member?.display ?? entry.displayPath)
            do throws(InputError) {
                let path: MemberPath
                if let member {
                    path = member
                } else {
                    do {
                        path = try MemberPath.parse(entry.path)
                    } catch {
                        throw InputError(.unsafeMember(error.reason), at: memberLocation)
                    }
                }
                try write(entry, at: path, base: base, reader: reader, location: memberLocation,
                          depth: depth, written: &written)
            } catch {
                if case .limitReached = error.kind {
                    throw error
                }
                diagnostics.report(.error, at: error.location, error.explanation)
                if reader.isBroken { return }
            }
        }
    }

    private func write(_ entry: ArchiveEntry, at path: MemberPath, base: [FileName], reader: ArchiveReader,
                       location: InputLocation, depth: Int,
                       written: inout [MemberPath: ManifestRow]) throws(InputError) {
        let components = base + path.components
        if case .directory = entry.kind {
            _ = try directory(components, location: location)
            return
        }
        guard let name = components.last, !path.isEmpty else {
            throw InputError(.unsafeMember("a member with no name"), at: location)
        }
        if components == [FileName(Manifest.fileName)] {
            throw InputError(.unsafeMember("its name would replace firmtrace's own \(Manifest.fileName)"), at: location)
        }
        let parent = try directory(components.dropLast(), location: location)
        try checkReplaceable(name, in: parent, location: location)
        guard filesWritten < request.limits.maxFiles else {
            runLimitReached = true
            throw InputError(.limitReached("more than \(request.limits.maxFiles) files (raise --max-files if this is expected)"),
                             at: location)
        }
        let displayPath = components.map(\.display).joined(separator: "/")
        let row: ManifestRow
        switch entry.kind {
        case .directory:
            return
        case .special(let what):
            throw InputError(.unsafeMember("\(what) entries are never created"), at: location)
        case .symlink(let target):
            do {
                try MemberPath.checkSymlinkTarget(target, depth: components.count - 1)
            } catch {
                throw InputError(.unsafeMember("\(error.reason) (-> \(EscapedText.escaping(target)))"), at: location)
            }
            try placeAtomically(name, in: parent, location: location) { temporary throws(SystemCallError) in
                try parent.makeSymlink(temporary, pointingTo: target)
            }
            row = manifestRow(displayPath, size: 0, sha256: "", entry: entry, type: .symlink, location: location,
                              note: "symlink -> \(EscapedText.escaping(target))")
        case .hardLink(let target):
            let targetPath: MemberPath
            do {
                targetPath = try MemberPath.parse(target)
            } catch {
                throw InputError(.unsafeMember("hard link target: \(error.reason)"), at: location)
            }
            guard let original = written[targetPath], let targetName = targetPath.components.last else {
                throw InputError(.unsafeMember("hard link to '\(EscapedText.escaping(target))', which is not a file this archive wrote"),
                                 at: location)
            }
            let targetParent = try directory(base + targetPath.components.dropLast(), location: location)
            try placeAtomically(name, in: parent, location: location) { temporary throws(SystemCallError) in
                try parent.makeHardLink(temporary, to: targetName, in: targetParent)
            }
            row = manifestRow(displayPath, size: original.size, sha256: original.sha256, entry: entry, type: .hardlink,
                              location: location, note: "hard link to \(original.path)")
        case .regularFile:
            let content = try writeContent(of: reader, as: name, in: parent, entry: entry, location: location)
            var note = ""
            if EncryptedRRLog.matches(name: name.display, size: content.size, kind: content.kind) {
                note = "encrypted rrlogd file, kept as is"
                diagnostics.report(.notice, at: location, InputError(.encryptedRRLog, at: location).explanation + "; kept as is")
            }
            row = manifestRow(displayPath, size: content.size, sha256: content.sha256, entry: entry, type: .file,
                              location: location, note: note)
            rows.append(row)
            written[path] = row
            filesWritten += 1
            if content.kind.isArchive {
                try unpackNested(name, in: parent, at: components, location: location, depth: depth)
            }
            return
        }
        rows.append(row)
        written[path] = row
        filesWritten += 1
    }

    /// Unpacks an archive member just written into a folder named after it (`varlog.tar.gz.d/`).
    private func unpackNested(_ name: FileName, in parent: DirectoryHandle, at components: [FileName],
                              location: InputLocation, depth: Int) throws(InputError) {
        if let maxDepth = request.maxDepth, depth >= maxDepth {
            diagnostics.report(.notice, at: location, "nested archive kept but not unpacked (--depth \(maxDepth))")
            return
        }
        guard depth < request.limits.maxNesting else {
            throw InputError(.limitReached("archives nested more than \(request.limits.maxNesting) deep (an archive that contains itself?); kept packed"),
                             at: location)
        }
        let file: MappedFile
        do {
            let descriptor = try parent.openForReading(name)
            defer { _ = close(descriptor) }
            file = try MappedFile(descriptor: descriptor)
        } catch {
            throw InputError(.unreadable(error.description), at: location)
        }
        let reader = try ArchiveReader(bytes: file.bytes, location: location)
        try extract(reader, location: location, into: components.dropLast() + [name.appending(".d")], depth: depth + 1,
                    bareStreamName: FileName(SingleFileName.strippingCompression(name.display)))
    }

    private struct WrittenContent {
        let size: Int64
        let sha256: String
        let kind: ContentKind
    }

    /// Streams the member's data to a temporary file, hashing as it goes, then renames it into place.
    private func writeContent(of reader: ArchiveReader, as name: FileName, in parent: DirectoryHandle,
                              entry: ArchiveEntry, location: InputLocation) throws(InputError) -> WrittenContent {
        let temporary = nextTemporaryName()
        let descriptor: Int32
        do {
            descriptor = try parent.createPartial(temporary)
        } catch {
            throw InputError(.writeFailed(error.description), at: location)
        }
        defer { PartialFiles.unregister(temporary.display, in: parent.descriptor) }
        var hasher = SHA256()
        var size: Int64 = 0
        var prefix: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferSize, alignment: 16)
        defer { buffer.deallocate() }
        do throws(InputError) {
            while true {
                let count = try reader.readData(into: buffer, member: location)
                if count == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0 ..< count])
                hasher.update(bufferPointer: chunk)
                if prefix.count < ContentSniffer.prefixLength {
                    prefix += chunk.prefix(ContentSniffer.prefixLength - prefix.count)
                }
                do {
                    try FileDescriptorIO.writeAll(descriptor, chunk)
                } catch {
                    throw InputError(.writeFailed(error.description), at: location)
                }
                size += Int64(count)
                try account(Int64(count), location: location)
            }
            do {
                try FileDescriptorIO.finish(descriptor, executable: entry.isExecutable, modificationTime: entry.modificationTime)
                FileDescriptorIO.close(descriptor)
                try parent.rename(temporary, to: name)
            } catch {
                throw InputError(.writeFailed(error.description), at: location)
            }
        } catch {
            FileDescriptorIO.close(descriptor)
            parent.removeFile(temporary)
            throw error
        }
        return WrittenContent(size: size, sha256: hasher.finalize().hexString, kind: ContentSniffer.kind(of: prefix))
    }

    /// Counts bytes against the limits, and tells the progress display.
    private func account(_ count: Int64, location: InputLocation) throws(InputError) {
        bytesWritten += count
        bytesWrittenForInput += count
        let limits = request.limits
        if bytesWritten > limits.maxTotalBytes {
            runLimitReached = true
            throw InputError(.limitReached("output passed \(limits.maxTotalBytes) bytes (raise --max-bytes if this is expected)"),
                             at: location)
        }
        if bytesWrittenForInput > limits.ratioGraceBytes, let inputReader {
            let compressed = max(inputReader.bytesConsumed, 1)
            let ratio = Double(bytesWrittenForInput) / Double(compressed)
            if ratio > limits.maxExpansionRatio {
                throw InputError(.limitReached(
                    "\(bytesWrittenForInput) bytes came out of \(compressed) compressed bytes, an expansion of "
                    + "\(Int(ratio))x, over the limit of \(Int(limits.maxExpansionRatio))x; this looks like a "
                    + "decompression bomb (raise --max-ratio if it is not)"), at: location)
            }
        }
        progress?(UnpackProgress(bytesWritten: bytesWritten, filesWritten: filesWritten, source: location.source))
    }

    // MARK: Output folder

    /// Opens the folder at `components` below the output folder, creating what is missing; a symlink or
    /// file on the way is refused, never followed.
    private func directory(_ components: some Collection<FileName>, location: InputLocation) throws(InputError) -> DirectoryHandle {
        var current = root
        for component in components {
            do {
                current = try current.subdirectory(component, create: true)
            } catch {
                let reason = error.code == ELOOP || error.code == ENOTDIR
                    ? "'\(component.display)' on its path is a symlink or a file, and is never followed"
                    : "cannot create folder '\(component.display)': \(error)"
                throw InputError(.unsafeMember(reason), at: location)
            }
        }
        return current
    }

    private func checkReplaceable(_ name: FileName, in parent: DirectoryHandle, location: InputLocation) throws(InputError) {
        let existing: DirectoryHandle.EntryType?
        do {
            existing = try parent.entryType(name)
        } catch {
            throw InputError(.writeFailed(error.description), at: location)
        }
        guard let existing else { return }
        if existing == .directory {
            throw InputError(.unsafeMember("a folder of that name is already there"), at: location)
        }
        if !request.overwrite {
            throw InputError(.alreadyExists, at: location)
        }
    }

    /// Makes a link at a temporary name and renames it into place.
    private func placeAtomically(_ name: FileName, in parent: DirectoryHandle, location: InputLocation,
                                 make: (FileName) throws(SystemCallError) -> Void) throws(InputError) {
        let temporary = nextTemporaryName()
        do {
            try make(temporary)
            try parent.rename(temporary, to: name)
        } catch {
            parent.removeFile(temporary)
            throw InputError(.writeFailed(error.description), at: location)
        }
    }

    private func nextTemporaryName() -> FileName {
        temporaryCounter += 1
        return FileName(".firmtrace-partial-\(getpid())-\(temporaryCounter)")
    }

    private func manifestRow(_ path: String, size: Int64, sha256: String, entry: ArchiveEntry,
                             type: ManifestRow.EntryType, location: InputLocation, note: String) -> ManifestRow {
        ManifestRow(path: path, size: size, sha256: sha256,
                    modificationTime: entry.modificationTime.map(UTCDateTime.iso8601(seconds:)) ?? "",
                    type: type, chain: location.source, originSHA256: inputSHA256, note: note)
    }

    // MARK: Manifest

    var manifestPath: String {
        let directory = request.outputDirectory
        return (directory.hasSuffix("/") ? directory : directory + "/") + Manifest.fileName
    }

    func checkManifestReplaceable() throws(InputError) {
        try checkReplaceable(FileName(Manifest.fileName), in: root, location: InputLocation(path: manifestPath))
    }

    /// Writes `manifest.csv` next to what was unpacked, atomically.
    func writeManifest() throws(InputError) {
        let name = FileName(Manifest.fileName)
        let location = InputLocation(path: manifestPath)
        let temporary = nextTemporaryName()
        do {
            let descriptor = try root.createPartial(temporary)
            defer {
                FileDescriptorIO.close(descriptor)
                PartialFiles.unregister(temporary.display, in: root.descriptor)
            }
            try FileDescriptorIO.writeAll(descriptor, Array(Manifest.csv(rows).utf8))
            try FileDescriptorIO.finish(descriptor, executable: false, modificationTime: nil)
            try root.rename(temporary, to: name)
        } catch {
            root.removeFile(temporary)
            throw InputError(.writeFailed(error.description), at: location)
        }
    }
}


extension Sequence<UInt8> {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The name a compressed single file gets once decompressed: `tuya.log.gz` becomes `tuya.log`.
enum SingleFileName {
    private static let replacements: [(suffix: String, replacement: String)] = [
        (".tgz", ".tar"), (".tzst", ".tar"), (".txz", ".tar"), (".tbz2", ".tar"),
        (".gz", ""), (".zst", ""), (".zstd", ""), (".xz", ""), (".lzma", ""), (".bz2", ""), (".lz4", ""),
    ]

    static func strippingCompression(_ name: String) -> String {
        for (suffix, replacement) in replacements where name.count > suffix.count && name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count)) + replacement
        }
        return name + ".out"
    }
}
