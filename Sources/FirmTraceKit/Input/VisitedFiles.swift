#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files and folders an expansion of the inputs has reached, by device and inode. Each is read once
/// however often it is named or reached (`correlate --logs DIR --capture DIR` must not count every event
/// twice), and a link back to a folder above is not followed forever: an unpacked bundle may hold one.
struct VisitedFiles {
    private struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    private var firstPaths: [Identity: String] = [:]

    /// Records `path`, whose `stat` is `status`; false, with a notice, when the same file or folder was
    /// reached before.
    mutating func isFirstVisit(_ path: String, _ status: stat, diagnostics: inout Diagnostics) -> Bool {
        let identity = Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        if let first = firstPaths[identity] {
            let what = status.st_mode & S_IFMT == S_IFDIR ? "folder" : "file"
            diagnostics.report(.notice, at: InputLocation(path: path), "the same \(what) as \(first), which is read once")
            return false
        }
        firstPaths[identity] = path
        return true
    }
}
