#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One readable stream of bytes found among the inputs: a file, an archive member read in place, or a
/// decompressed single file. Its bytes arrive in chunks through `read`.
struct InputSource {
    let location: InputLocation
    /// The member's modification time from the archive (or the file's), seconds since 1970.
    let modificationTime: Int64?
    /// True when the user named this file; false when it was found inside a folder or an archive.
    let isExplicit: Bool
    /// The open file when the source is a plain file on disk, for readers that scan it their own way.
    let file: FileChunkReader?
    let read: ((UnsafeRawBufferPointer) -> Bool) throws(InputError) -> Void

    /// The first bytes, for sniffing. A file is read with `pread`; an archive member's first chunk is
    /// kept by the walker (it decided what the member is) and given again by `read`.
    func head() throws(InputError) -> [UInt8] {
        if let file {
            do {
                return try file.head(ContentSniffer.prefixLength)
            } catch {
                throw InputError(.unreadable(error.description), at: location)
            }
        }
        return firstBytes
    }

    var firstBytes: [UInt8] = []
    /// An archive member's size, when the archive states it.
    var size: Int64?
}

/// Expands inputs into byte sources: folders recursively (rotated logs oldest first, captures by their
/// first packet's time), archives and
/// compressed files read in place through libarchive, never extracted to disk.
enum InputWalker {
    /// Archives inside archives are read into memory to be opened; bounded so a bomb cannot exhaust it.
    static let maxNestedArchiveBytes = 512 << 20
    /// And nested at most this deep: an archive that contains itself would otherwise recurse forever.
    static let maxNesting = 16
    static let chunkSize = 1 << 20

    static func walk(_ paths: [String], diagnostics: inout Diagnostics,
                     visit: (InputSource) throws(InputError) -> Bool) {
        walk(units(paths, diagnostics: &diagnostics), diagnostics: &diagnostics, visit: visit)
    }

    /// A file (or a path that could not be looked at) to walk, found by expanding folders in the order
    /// `walk` reads them: the timeline reads units side by side and still numbers events as one walk would.
    struct Unit: Sendable {
        let path: String
        let isExplicit: Bool
        /// A capture's first packet time, known for files found in folders (they were ordered by it).
        let firstPacketTime: Int64?
    }

    static func units(_ paths: [String], diagnostics: inout Diagnostics) -> [Unit] {
        var units: [Unit] = []
        var admission = InputAdmission()
        func expand(_ path: String, explicit: Bool, firstPacketTime: Int64?) {
            var status = stat()
            guard stat(path, &status) == 0 else {
                units.append(Unit(path: path, isExplicit: explicit, firstPacketTime: firstPacketTime))
                return
            }
            guard admission.admits(path, status, explicit: explicit, diagnostics: &diagnostics) else { return }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                units.append(Unit(path: path, isExplicit: explicit, firstPacketTime: firstPacketTime))
                return
            }
            for child in CaptureOrder.arrangedWithTimes(directoryEntries(path, diagnostics: &diagnostics)) {
                expand(child.path, explicit: false, firstPacketTime: child.firstPacketTime)
            }
        }
        for path in paths { expand(path, explicit: true, firstPacketTime: nil) }
        return units
    }

    static func walk(_ units: [Unit], diagnostics: inout Diagnostics, visit: (InputSource) throws(InputError) -> Bool) {
        for unit in units {
            guard walkPath(unit.path, explicit: unit.isExplicit, diagnostics: &diagnostics, visit: visit) else { return }
        }
    }

    /// Returns false when the visitor asked to stop.
    private static func walkPath(_ path: String, explicit: Bool, diagnostics: inout Diagnostics,
                                 visit: (InputSource) throws(InputError) -> Bool) -> Bool {
        let location = InputLocation(path: path)
        var status = stat()
        guard stat(path, &status) == 0 else {
            diagnostics.report(.error, at: location, "cannot read: \(SystemCallError("stat"))")
            return true
        }
        do throws(InputError) {
            let file: FileChunkReader
            let head: [UInt8]
            do {
                file = try FileChunkReader(path: path)
                head = try file.head(ContentSniffer.prefixLength)
            } catch {
                throw InputError(.unreadable(error.description), at: location)
            }
            if ContentSniffer.kind(of: head).isArchive {
                let mapped: MappedFile
                do {
                    mapped = try MappedFile(descriptor: file.descriptor)
                } catch {
                    throw InputError(.unreadable(error.description), at: location)
                }
                let reader = try ArchiveReader(mapped: mapped, location: location)
                return try walkArchive(reader, location: location, name: baseName(path), explicit: explicit,
                                       diagnostics: &diagnostics, visit: visit)
            }
            let source = InputSource(location: location, modificationTime: Int64(status.st_mtim.tv_sec), isExplicit: explicit,
                                     file: file) { body throws(InputError) in
                do throws(SystemCallError) {
                    try file.forEachChunk(body)
                } catch {
                    throw InputError(.unreadable(error.description), at: location)
                }
            }
            return try visit(source)
        } catch {
            diagnostics.report(.error, at: error.location, error.explanation)
            return true
        }
    }

    private static func walkArchive(_ reader: ArchiveReader, location: InputLocation, name: String, explicit: Bool, depth: Int = 0,
                                    diagnostics: inout Diagnostics,
                                    visit: (InputSource) throws(InputError) -> Bool) throws(InputError) -> Bool {
        while let entry = try reader.nextEntry(warn: { diagnostics.report(.warning, at: location, $0) }) {
            guard entry.kind == .regularFile else { continue }
            let memberName = reader.isBareStream ? SingleFileName.strippingCompression(name) : entry.displayPath
            let memberLocation = location.appending(member: memberName)
            var head: [UInt8] = []
            var failure: InputError?
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
            defer { buffer.deallocate() }
            // The first chunk decides what the member is; nested archives are read whole and opened.
            let firstCount: Int
            do {
                firstCount = try reader.readData(into: buffer, member: memberLocation)
            } catch {
                diagnostics.report(.error, at: error.location, error.explanation)
                if reader.isBroken { return true }
                continue
            }
            let first = UnsafeRawBufferPointer(rebasing: buffer[0 ..< firstCount])
            head = Array(first.prefix(ContentSniffer.prefixLength))
            let kind = ContentSniffer.kind(of: head)
            if kind.isArchive {
                guard depth < maxNesting else {
                    diagnostics.report(.error, at: memberLocation, "archives nested more than \(maxNesting) deep (an archive that contains itself?); skipped")
                    continue
                }
                var whole = Array(first)
                do throws(InputError) {
                    while true {
                        let count = try reader.readData(into: buffer, member: memberLocation)
                        if count == 0 { break }
                        whole.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0 ..< count]))
                        guard whole.count <= maxNestedArchiveBytes else {
                            throw InputError(.limitReached("nested archive larger than \(maxNestedArchiveBytes) bytes; unpack it first"),
                                             at: memberLocation)
                        }
                    }
                    var nestedDiagnostics = Diagnostics()
                    let walked: Result<Bool, InputError> = whole.withUnsafeBytes { bytes in
                        do throws(InputError) {
                            let nested = try ArchiveReader(bytes: bytes, location: memberLocation)
                            return .success(try walkArchive(nested, location: memberLocation, name: baseName(memberName),
                                                            explicit: false, depth: depth + 1, diagnostics: &nestedDiagnostics, visit: visit))
                        } catch {
                            return .failure(error)
                        }
                    }
                    nestedDiagnostics.all.forEach { diagnostics.report($0) }
                    switch walked {
                    case .success(let keepGoing): if !keepGoing { return false }
                    case .failure(let error): throw error
                    }
                } catch {
                    diagnostics.report(.error, at: error.location, error.explanation)
                    if reader.isBroken { return true }
                }
                continue
            }
            var firstPending = true
            var source = InputSource(location: memberLocation, modificationTime: entry.modificationTime, isExplicit: explicit,
                                     file: nil) { body throws(InputError) in
                if firstPending {
                    firstPending = false
                    guard body(first) else { return }
                }
                while true {
                    let count = try reader.readData(into: buffer, member: memberLocation)
                    if count == 0 { return }
                    guard body(UnsafeRawBufferPointer(rebasing: buffer[0 ..< count])) else { return }
                }
            }
            source.firstBytes = head
            source.size = entry.size
            do {
                guard try visit(source) else { return false }
            } catch {
                failure = error
            }
            if let failure {
                diagnostics.report(.error, at: failure.location, failure.explanation)
                if reader.isBroken { return true }
            }
        }
        return true
    }

    /// A folder's entries: hidden ones left out, rotated logs oldest first (`tuya.log.2.gz`, `tuya.log.1`,
    /// `tuya.log`), everything else by name.
    static func directoryEntries(_ path: String, diagnostics: inout Diagnostics) -> [String] {
        guard let directory = opendir(path) else {
            diagnostics.report(.error, at: InputLocation(path: path), "cannot read folder: \(SystemCallError("opendir"))")
            return []
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = DirectoryEntry.name(entry)
            if !name.hasPrefix(".") { names.append(name) }
        }
        let separator = path.hasSuffix("/") ? "" : "/"
        return names.sorted { RotatedName($0) < RotatedName($1) }.map { path + separator + $0 }
    }
}

/// The name in a `readdir` record, read up to its NUL in place. The record is only as long as the name
/// needs (`d_reclen`), so copying the whole 256-byte `d_name` field reads past it (AddressSanitizer
/// caught exactly that).
public enum DirectoryEntry {
    public static func name(_ entry: UnsafeMutablePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
    }
}

/// `tuya.log.3.gz` → base `tuya.log`, rotation 3. Sorting by base, then by descending rotation, reads a
/// rotated set in the order it was written.
struct RotatedName: Comparable {
    let base: String
    let rotation: Int
    let name: String

    init(_ name: String) {
        self.name = name
        var stem = Substring(name)
        for suffix in [".gz", ".zst", ".xz", ".bz2"] where stem.hasSuffix(suffix) {
            stem = stem.dropLast(suffix.count)
        }
        if let dot = stem.lastIndex(of: "."), let number = Int(stem[stem.index(after: dot)...]), number < 10_000 {
            base = String(stem[..<dot])
            rotation = number
        } else {
            base = String(stem)
            rotation = 0
        }
    }

    static func < (lhs: RotatedName, rhs: RotatedName) -> Bool {
        if lhs.base != rhs.base { return lhs.base < rhs.base }
        if lhs.rotation != rhs.rotation { return lhs.rotation > rhs.rotation }
        return lhs.name < rhs.name
    }
}

func baseName(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? path
}
