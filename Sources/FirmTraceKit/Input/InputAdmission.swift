#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which of the paths an expansion of the inputs reaches are read. Each file and folder is read once,
/// by device and inode, however often it is named or reached (`correlate --logs DIR --capture DIR` must
/// not count every event twice), so a link back to a folder above is not followed forever: an unpacked
/// bundle may hold one. What is neither a file nor a folder is never opened: opening a fifo nobody writes
/// to waits forever, a device may never end, and files are read at offsets (slices side by side, a
/// sniffed head read again), which a stream cannot give.
struct InputAdmission {
    private struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private var firstPaths: [Identity: String] = [:]

    /// True when `path` (whose `stat` is `status`) is to be read or expanded. Otherwise says why: a notice
    /// for a repeat and for a special file found in a folder, an error for one named on the command line.
    mutating func admits(_ path: String, _ status: stat, explicit: Bool, diagnostics: inout Diagnostics) -> Bool {
        let identity = Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        if let first = firstPaths[identity] {
            let what = status.st_mode & S_IFMT == S_IFDIR ? "folder" : "file"
            diagnostics.report(.notice, at: InputLocation(path: path), "the same \(what) as \(first), which is read once")
            return false
        }
        firstPaths[identity] = path
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return true
        case S_IFIFO: kind = "a fifo or pipe"
        case S_IFSOCK: kind = "a socket"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        default: kind = "not a file"
        }
        if explicit {
            diagnostics.report(.error, at: InputLocation(path: path), "\(kind), not a file: inputs are read at offsets; save the stream to a file first")
        } else {
            diagnostics.report(.notice, at: InputLocation(path: path), "\(kind), found in a folder; passed over")
        }
        return false
    }
}
