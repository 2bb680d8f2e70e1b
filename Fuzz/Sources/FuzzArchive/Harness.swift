import FirmTraceKit
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

/// The archive walker on one file: format sniffing, every libarchive format and filter, nested archives,
/// members read in place (as grep reads bundles) and written out (as unpack does, into a fresh folder
/// that is removed after each run).
public func fuzzArchive(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let archive = FuzzInput.file(data, size, name: "bundle.tar.gz")
    FuzzInput.grep([archive])
    let output = FuzzInput.folder + "/unpacked"
    var limits = UnpackLimits()
    limits.maxTotalBytes = 64 << 20
    _ = try? Unpack.run(UnpackRequest(archives: [archive], outputDirectory: output, limits: limits))
    removeTree(output)
    return 0
}

/// `rm -rf`, without following links: unpack may have written anything the archive asked for.
private func removeTree(_ path: String) {
    guard let directory = opendir(path) else {
        unlink(path)
        return
    }
    while let entry = readdir(directory) {
        let name = DirectoryEntry.name(entry)
        if name == "." || name == ".." { continue }
        let child = path + "/" + name
        var status = stat()
        if lstat(child, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            chmod(child, 0o700)
            removeTree(child)
        } else {
            unlink(child)
        }
    }
    closedir(directory)
    rmdir(path)
}

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("FuzzArchive_main")
public func fuzzArchiveMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzArchive)
}
