import Foundation
import Testing
@testable import FirmTraceKit

@Suite("archives read from a mapped file")
struct MappedArchiveTests {
    /// A Tuya log of `lines` lines whose random payloads keep it from compressing below half its size.
    static func incompressibleLog(lines: Int) -> [UInt8] {
        var random = SeededGenerator(seed: 42)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines * 160)
        for index in 0 ..< lines {
            let payload = Data((0 ..< 72).map { _ in UInt8.random(in: 0 ... 255, using: &random) }).base64EncodedString()
            let stamp = "07-10 \(String(format: "%02d:%02d:%02d", 3 + index / 3600 % 20, index / 60 % 60, index % 60))"
            bytes += Array("[\(stamp) TUYA Debug][iot_httpc.c:883] Post Data: {\"n\":\(index),\"payload\":\"\(payload)\"}\n".utf8)
        }
        return bytes
    }

    /// What the events say, in order.
    static func fingerprint(_ path: String) -> [String] {
        let sink = CollectingSink()
        _ = Grep.run(GrepRequest(inputs: [path]), sink: sink)
        return sink.events.map { "\($0.kind) \($0.line ?? -1) \($0.message)" }
    }

    @Test("a compressed log past the size at which read pages are given back reads as the plain file does, from a tar.gz and from a zip that seeks back")
    func pagesGivenBackReadTheSame() throws {
        let scratch = try ScratchFolder()
        let log = scratch.appending("device.log")
        let bytes = Self.incompressibleLog(lines: 130_000)
        try Data(bytes).write(to: URL(fileURLWithPath: log))
        let tarball = scratch.appending("logs.tar.gz")
        #expect(try Subprocess.run("tar", ["-czf", tarball, "-C", scratch.path, "device.log"]).status == 0)
        let zip = scratch.appending("logs.zip")
        let zipping = "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED).write(sys.argv[2], 'device.log')"
        #expect(try Subprocess.run("python3", ["-c", zipping, zip, log]).status == 0)
        for archive in [tarball, zip] {
            // Past 9 MiB read, the pages behind are released (8 MiB steps, 1 MiB kept).
            let size = try #require(try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
            #expect(size > 10 << 20, "\(archive) is \(size) bytes")
        }
        let plain = Self.fingerprint(log)
        #expect(plain.count == 130_000)
        #expect(Self.fingerprint(tarball) == plain)
        #expect(Self.fingerprint(zip) == plain)
    }
}
