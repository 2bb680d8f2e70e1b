import CArchive
import Foundation

/// Builds archives for tests with libarchive's writer, which, unlike tar, writes whatever a hostile
/// archive may contain: `..` paths, absolute paths, links out, device files.
enum TestArchive {
    enum Entry {
        case file(String, [UInt8])
        case directory(String)
        case symlink(String, target: String)
        case hardLink(String, target: String)
        case special(String, fileType: UInt32)
        /// A file of `size` zero bytes, written in chunks so a bomb never sits in memory.
        case zeros(String, size: Int64)
    }

    enum Format {
        case tarGzip, tarZstd, tarXz, tar, zip, zipStored, gzipFile, zstdFile, xzFile
    }

    static let characterDevice: UInt32 = 0o020000
    static let fifo: UInt32 = 0o010000

    static func write(_ entries: [Entry], as format: Format, to path: String) throws {
        guard let archive = archive_write_new() else { throw TestArchiveError("archive_write_new") }
        defer { archive_write_free(archive) }
        switch format {
        case .tarGzip, .tarZstd, .tarXz, .tar: try check(archive, archive_write_set_format_pax_restricted(archive))
        case .zip: try check(archive, archive_write_set_format_zip(archive))
        case .zipStored:
            try check(archive, archive_write_set_format_zip(archive))
            try check(archive, archive_write_set_format_option(archive, "zip", "compression", "store"))
        case .gzipFile, .zstdFile, .xzFile: try check(archive, archive_write_set_format_raw(archive))
        }
        switch format {
        case .tarGzip, .gzipFile: try check(archive, archive_write_add_filter_gzip(archive))
        case .tarZstd, .zstdFile: try check(archive, archive_write_add_filter_zstd(archive))
        case .tarXz, .xzFile: try check(archive, archive_write_add_filter_xz(archive))
        case .tar, .zip, .zipStored: break
        }
        try check(archive, archive_write_open_filename(archive, path))
        for item in entries {
            guard let entry = archive_entry_new() else { throw TestArchiveError("archive_entry_new") }
            defer { archive_entry_free(entry) }
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_mtime(entry, 1_657_384_304, 0)
            var data: [UInt8] = []
            var zeros: Int64 = 0
            switch item {
            case .file(let name, let bytes):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_size(entry, Int64(bytes.count))
                data = bytes
            case .directory(let name):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o040000)
                archive_entry_set_perm(entry, 0o755)
            case .symlink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o120000)
                archive_entry_set_symlink(entry, target)
            case .hardLink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_hardlink(entry, target)
                archive_entry_set_size(entry, 0)
            case .special(let name, let fileType):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, fileType)
            case .zeros(let name, let size):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_size(entry, size)
                zeros = size
            }
            try check(archive, archive_write_header(archive, entry))
            if !data.isEmpty {
                _ = data.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
            }
            let chunk = [UInt8](repeating: 0, count: 1 << 20)
            while zeros > 0 {
                let count = Int(min(zeros, Int64(chunk.count)))
                _ = chunk.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, count) }
                zeros -= Int64(count)
            }
        }
        try check(archive, archive_write_close(archive))
    }

    private static func check(_ archive: OpaquePointer, _ status: Int32) throws {
        if status < ARCHIVE_WARN {
            throw TestArchiveError(archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error \(status)")
        }
    }
}

struct TestArchiveError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
