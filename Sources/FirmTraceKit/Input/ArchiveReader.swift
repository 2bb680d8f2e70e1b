import CArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One member of an archive as libarchive describes it, copied out of libarchive's entry so it outlives
/// the next header read.
struct ArchiveEntry {
    enum Kind: Equatable {
        case regularFile, directory, symlink(target: [UInt8]), hardLink(target: [UInt8]), special(String)
    }

    /// The path exactly as stored, as bytes (names need not be UTF-8).
    let path: [UInt8]
    let kind: Kind
    let modificationTime: Int64?
    /// The member's size as the archive states it; a compressed single file states none.
    let size: Int64?
    let isExecutable: Bool

    var displayPath: String { EscapedText.escaping(path) }
}

/// Reads archives and compressed files from memory through libarchive. Every `archive_*` call of the
/// project lives in this file. Only the formats and filters firmtrace promises are enabled: `_all` would
/// also enable mtree (whose entries can name files on the reading machine) and filters that run external
/// programs, neither of which belongs near untrusted input.
final class ArchiveReader {
    private let handle: OpaquePointer
    private let location: InputLocation
    private let input: MemoryInput
    /// The mapped file read, when it is one: kept mapped while the reader lives.
    private let file: MappedFile?
    private var sawFirstHeader = false

    /// Opens `bytes`, which must stay valid while the reader lives.
    convenience init(bytes: UnsafeRawBufferPointer, location: InputLocation) throws(InputError) {
        try self.init(MemoryInput(bytes, releasingPages: false), file: nil, location: location)
    }

    /// Opens a mapped file, whose pages libarchive has read past are given back as it goes: the mapping's
    /// pages count as the process's memory until then, a compressed input's whole size by its end.
    convenience init(mapped file: MappedFile, location: InputLocation) throws(InputError) {
        try self.init(MemoryInput(file.bytes, releasingPages: true), file: file, location: location)
    }

    private init(_ input: MemoryInput, file: MappedFile?, location: InputLocation) throws(InputError) {
        guard let handle = archive_read_new() else {
            throw InputError(.unreadable("libarchive could not allocate a reader"), at: location)
        }
        self.handle = handle
        self.location = location
        self.input = input
        self.file = file
        // archive_read_support_filter_* / archive_read_support_format_*
        _ = archive_read_support_filter_gzip(handle)
        _ = archive_read_support_filter_zstd(handle)
        _ = archive_read_support_filter_xz(handle)
        _ = archive_read_support_filter_lzma(handle)
        _ = archive_read_support_filter_bzip2(handle)
        _ = archive_read_support_filter_lz4(handle)
        _ = archive_read_support_format_tar(handle)
        _ = archive_read_support_format_gnutar(handle)
        _ = archive_read_support_format_zip(handle)
        _ = archive_read_support_format_7zip(handle)
        _ = archive_read_support_format_raw(handle)
        // archive_read_set_*_callback + archive_read_open1: our own callbacks over the mapped bytes, rather
        // than archive_read_open_memory, so the reader knows how far into the input libarchive has got.
        _ = archive_read_set_read_callback(handle) { _, client, block in
            MemoryInput.from(client).read(block)
        }
        _ = archive_read_set_skip_callback(handle) { _, client, request in
            MemoryInput.from(client).skip(request)
        }
        _ = archive_read_set_seek_callback(handle) { _, client, offset, whence in
            MemoryInput.from(client).seek(offset, whence: whence)
        }
        _ = archive_read_set_callback_data(handle, Unmanaged.passUnretained(input).toOpaque())
        let status = archive_read_open1(handle)
        if status != ARCHIVE_OK {
            throw InputError(.damaged(errorText), at: location)
        }
    }

    deinit {
        archive_read_free(handle)
    }

    /// Where in the input libarchive is reading: the offset a user can find in the file.
    var compressedOffset: Int64 { Int64(input.position) }

    /// Input bytes libarchive has read or skipped so far, the denominator of the expansion ratio.
    /// (`archive_filter_bytes` undercounts when libarchive skips; a zip's seek to its directory would
    /// make a plain position overcount.)
    var bytesConsumed: Int64 { Int64(input.consumed) }

    /// True when the input is a compressed single file rather than a container (libarchive's raw format).
    var isBareStream: Bool { Int32(archive_format(handle)) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_RAW }

    /// The next member (`archive_read_next_header`), nil at the end. Warnings are passed to `warn` and
    /// reading goes on; a member libarchive cannot describe throws and ends the archive.
    func nextEntry(warn: (String) -> Void) throws(InputError) -> ArchiveEntry? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(handle, &entry)
        switch status {
        case ARCHIVE_EOF:
            return nil
        case ARCHIVE_OK, ARCHIVE_WARN:
            if status == ARCHIVE_WARN { warn(errorText) }
        default:
            let reason = sawFirstHeader ? errorText : "\(errorText) (is it really an archive?)"
            throw InputError(.damaged(reason), at: location.at(byte: compressedOffset))
        }
        sawFirstHeader = true
        guard let entry else { throw InputError(.damaged("libarchive returned no entry"), at: location) }
        return describe(entry)
    }

    private func describe(_ entry: OpaquePointer) -> ArchiveEntry {
        // archive_entry_pathname fails on names it cannot convert to the C locale; the UTF-8 form holds them.
        let pathPointer = archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry)
        let path = pathPointer.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? []
        let modificationTime = archive_entry_mtime_is_set(entry) != 0 ? Int64(archive_entry_mtime(entry)) : nil
        let kind: ArchiveEntry.Kind
        if let hardLink = archive_entry_hardlink(entry) {
            kind = .hardLink(target: Array(UnsafeRawBufferPointer(start: hardLink, count: strlen(hardLink))))
        } else {
            switch archive_entry_filetype(entry) {
            case FileType.regular: kind = .regularFile
            case FileType.directory: kind = .directory
            case FileType.symlink:
                let target = archive_entry_symlink(entry) ?? archive_entry_symlink_utf8(entry)
                kind = .symlink(target: target.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) } ?? [])
            case FileType.characterDevice: kind = .special("character device")
            case FileType.blockDevice: kind = .special("block device")
            case FileType.fifo: kind = .special("named pipe (fifo)")
            case FileType.socket: kind = .special("socket")
            default: kind = .special("entry of unknown type")
            }
        }
        let size = archive_entry_size_is_set(entry) != 0 ? Int64(archive_entry_size(entry)) : nil
        return ArchiveEntry(path: path, kind: kind, modificationTime: modificationTime, size: size,
                            isExecutable: archive_entry_perm(entry) & 0o111 != 0)
    }

    /// Reads the current member's data (`archive_read_data`) into `buffer`; 0 at the member's end. A
    /// warning here means the data itself is wrong (a zip member's CRC does not match), so it throws like
    /// any other damage: evidence that fails its own checksum is not written as if it were whole.
    func readData(into buffer: UnsafeMutableRawBufferPointer, member: InputLocation) throws(InputError) -> Int {
        let count = archive_read_data(handle, buffer.baseAddress, buffer.count)
        if count >= 0 { return count }
        isBroken = count == ARCHIVE_FATAL
        throw InputError(.damaged(errorText), at: member.at(byte: compressedOffset))
    }

    /// True after a failure that leaves the rest of the archive unreadable (`ARCHIVE_FATAL`), as opposed to
    /// one member being unreadable (`ARCHIVE_FAILED`, an encrypted zip entry say).
    private(set) var isBroken = false

    /// libarchive's `AE_IF*` file types, which are C casts the importer cannot see.
    private enum FileType {
        static let regular: UInt32 = 0o100000
        static let directory: UInt32 = 0o040000
        static let symlink: UInt32 = 0o120000
        static let characterDevice: UInt32 = 0o020000
        static let blockDevice: UInt32 = 0o060000
        static let fifo: UInt32 = 0o010000
        static let socket: UInt32 = 0o140000
    }

    /// `archive_error_string`, or a fallback when libarchive set none.
    private var errorText: String {
        archive_error_string(handle).map { String(cString: $0) } ?? "libarchive reported an error without a message"
    }
}

/// The input handed to libarchive in blocks, counting what it has been given.
private final class MemoryInput {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    private(set) var consumed = 0
    /// Small blocks keep `compressedOffset`, and so the byte offsets in messages, close to the truth.
    private static let blockSize = 16 << 10
    /// For a file's mapping only (`MADV_DONTNEED` would empty other memory): the pages behind what libarchive
    /// reads are dropped from the mapping every `releaseStep`, all but the last `keptBehind` bytes (libarchive
    /// may still read the block it was given last). A seek back, as a zip's to its entries, maps them in again.
    private let releasingPages: Bool
    private var released = 0
    private static let releaseStep = 8 << 20
    private static let keptBehind = 1 << 20
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    init(_ bytes: UnsafeRawBufferPointer, releasingPages: Bool) {
        self.bytes = bytes
        self.releasingPages = releasingPages
    }

    static func from(_ client: UnsafeMutableRawPointer?) -> MemoryInput {
        Unmanaged<MemoryInput>.fromOpaque(client!).takeUnretainedValue()
    }

    func read(_ block: UnsafeMutablePointer<UnsafeRawPointer?>?) -> Int {
        let count = min(Self.blockSize, bytes.count - position)
        block?.pointee = count > 0 ? UnsafeRawPointer(bytes.baseAddress! + position) : nil
        advance(to: position + count)
        return count
    }

    func skip(_ request: Int64) -> Int64 {
        let count = Int(min(Int64(bytes.count - position), max(request, 0)))
        advance(to: position + count)
        return Int64(count)
    }

    func seek(_ offset: Int64, whence: Int32) -> Int64 {
        let base = switch whence {
        case SEEK_CUR: Int64(position)
        case SEEK_END: Int64(bytes.count)
        default: Int64(0)
        }
        let target = base + offset
        guard target >= 0, target <= Int64(bytes.count) else { return Int64(ARCHIVE_FATAL) }
        position = Int(target)
        return target
    }

    private func advance(to newPosition: Int) {
        consumed += newPosition - position
        position = newPosition
        if releasingPages { releaseBehind() }
    }

    private func releaseBehind() {
        let end = (position - Self.keptBehind) / Self.pageSize * Self.pageSize
        guard end - released >= Self.releaseStep, let start = bytes.baseAddress.map({ UnsafeMutableRawPointer(mutating: $0 + released) }) else {
            return
        }
        _ = madvise(start, end - released, MADV_DONTNEED)
        released = end
    }
}
