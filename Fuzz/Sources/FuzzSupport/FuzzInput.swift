import CFuzzDriver
@testable import FirmTraceKit
#if canImport(Glibc)
import Glibc
#endif

/// Harnesses whose parser reads files (the log reader, the capture reader, the archive walker) get the
/// input as a file in memory-backed /dev/shm, written anew for each run, in a folder of their own.
public enum FuzzInput {
    public static let folder: String = {
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        let path = "\(base)/firmtrace-fuzz-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()

    /// Writes the input to `folder/name` and returns the path.
    public static func file(_ data: UnsafePointer<UInt8>, _ size: Int, name: String) -> String {
        let path = folder + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot write the fuzz input to \(path)")
        var written = 0
        while written < size {
            let count = write(descriptor, data + written, size - written)
            precondition(count > 0, "cannot write the fuzz input to \(path)")
            written += count
        }
        close(descriptor)
        return path
    }

    /// The bytes of a file the code under test wrote, read without Foundation, whose
    /// `String(contentsOfFile:)` leaks its buffer for an empty file and so stops a leak-checking fuzzer.
    public static func contents(of path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Reads every input as grep does, rendering each event as JSON so the formatting runs too; then as
    /// the report does, rendering its page (without the OUI registry, which would be most of the time).
    /// Logs are decoded in slices of 64 bytes side by side, so that small inputs are cut as large ones are.
    public static func grep(_ paths: [String]) {
        var grep = GrepRequest(inputs: paths, miioToken: Array(repeating: 0x42, count: 16))
        grep.sliceBytes = 64
        _ = Grep.run(grep, sink: RenderingSink())
        var request = ReportRequest(inputs: paths)
        request.registry = "/nonexistent"
        let report = BehaviourReport.build(request)
        _ = ReportHTML.render(report)
        _ = ReportJSON.render(report)
    }
}

/// Renders and drops every event.
final class RenderingSink: EventSink {
    func accept(_ event: Event) -> Bool {
        _ = JSONLSink.line(event)
        return true
    }

    func finish() {}
}

/// Runs libFuzzer on a harness: the body of each harness's `<module>_main`.
public enum FuzzDriver {
    public static func run(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
                           _ harness: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&count, &arguments, harness)
    }
}
