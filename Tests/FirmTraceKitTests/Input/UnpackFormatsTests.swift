import Foundation
import Testing
@testable import FirmTraceKit

@Suite("unpack reads every promised format from its bytes")
struct UnpackFormatsTests {
    static let containers: [TestArchive.Format] = [.tar, .tarGzip, .tarZstd, .tarXz, .zip]

    @Test("containers unpack whatever their name says", arguments: containers)
    func containerUnderMisleadingName(_ format: TestArchive.Format) throws {
        let scratch = try ScratchFolder()
        let archive = scratch.appending("evidence.bin")
        try TestArchive.write([.directory("rrlog/"), .file("rrlog/tuya.log", Array("[01-01 18:12:15 TUYA Debug]\n".utf8))],
                              as: format, to: archive)
        let outcome = try Unpack.run(UnpackRequest(archives: [archive], outputDirectory: scratch.appending("out")))
        #expect(outcome.exitStatus == 0)
        #expect(outcome.rows.map(\.path) == ["rrlog/tuya.log"])
        #expect(try String(contentsOfFile: scratch.appending("out/rrlog/tuya.log"), encoding: .utf8) == "[01-01 18:12:15 TUYA Debug]\n")
    }

    @Test("a compressed single file is decompressed under its name without the suffix",
          arguments: [(TestArchive.Format.gzipFile, "tuya.log.1.gz"), (.zstdFile, "tuya.log.2.zst"), (.xzFile, "miio.log.xz")])
    func singleCompressedFile(_ format: TestArchive.Format, _ name: String) throws {
        let scratch = try ScratchFolder()
        let archive = scratch.appending(name)
        let text = Array("[20220709 16:31:35] [I] http_dns_request:231, HTTP-DNS request\n".utf8)
        try TestArchive.write([.file("data", text)], as: format, to: archive)
        let outcome = try Unpack.run(UnpackRequest(archives: [archive], outputDirectory: scratch.appending("out")))
        let expectedName = String(name.dropLast(name.hasSuffix(".gz") ? 3 : name.hasSuffix(".xz") ? 3 : 4))
        #expect(outcome.rows.map(\.path) == [expectedName])
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.appending("out/\(expectedName)"))) == Data(text))
    }

    @Test("nested archives unpack into a folder named after them, each level in the chain")
    func nestedChain() throws {
        let scratch = try ScratchFolder()
        let innermost = scratch.appending("kern.log.gz")
        try TestArchive.write([.file("data", Array("[    2.306924] EXT4-fs\n".utf8))], as: .gzipFile, to: innermost)
        let middle = scratch.appending("varlog.tar.gz")
        try TestArchive.write([.file("var/log/kern.log.gz", [UInt8](try Data(contentsOf: URL(fileURLWithPath: innermost))))],
                              as: .tarGzip, to: middle)
        let outer = scratch.appending("bundle.zip")
        try TestArchive.write([.file("rrlog/varlog.tar.gz", [UInt8](try Data(contentsOf: URL(fileURLWithPath: middle))))],
                              as: .zip, to: outer)

        let outcome = try Unpack.run(UnpackRequest(archives: [outer], outputDirectory: scratch.appending("out")))
        #expect(outcome.rows.map(\.path) == ["rrlog/varlog.tar.gz",
                                             "rrlog/varlog.tar.gz.d/var/log/kern.log.gz",
                                             "rrlog/varlog.tar.gz.d/var/log/kern.log.gz.d/kern.log"])
        #expect(outcome.rows.last?.chain == "\(outer)!rrlog/varlog.tar.gz!var/log/kern.log.gz!kern.log")

        let shallow = try Unpack.run(UnpackRequest(archives: [outer], outputDirectory: scratch.appending("depth1"), maxDepth: 1))
        #expect(shallow.rows.map(\.path) == ["rrlog/varlog.tar.gz", "rrlog/varlog.tar.gz.d/var/log/kern.log.gz"])
        #expect(shallow.diagnostics.all.contains { $0.severity == .notice && $0.message.contains("--depth 1") })
        #expect(shallow.exitStatus == 0)
    }

    @Test("an encrypted rrlogd input is named as such")
    func encryptedInput() throws {
        let scratch = try ScratchFolder()
        let file = scratch.appending("rrlog_20220910.rr.gz")
        var generator = SystemRandomNumberGenerator()
        var bytes = (0 ..< 2048).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
        bytes[0] = 0x00  // never gzip's magic
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let outcome = try Unpack.run(UnpackRequest(archives: [file], outputDirectory: scratch.appending("out")))
        #expect(outcome.exitStatus == 2)
        #expect(outcome.diagnostics.all.first?.message.contains("encrypted rrlogd file") == true)
    }
}

@Suite("member paths")
struct MemberPathTests {
    @Test("'.' and empty components are dropped", arguments: ["./rrlog//tuya.log", "rrlog/./tuya.log", "rrlog/tuya.log"])
    func normalisedPaths(_ raw: String) throws {
        #expect(try MemberPath.parse(Array(raw.utf8)).display == "rrlog/tuya.log")
    }

    @Test("'..' anywhere and absolute paths are refused", arguments: ["../x", "a/../../x", "a/..", "/etc/passwd", "a/b/../c"])
    func refusedPaths(_ raw: String) {
        #expect(throws: MemberPath.Refusal.self) { try MemberPath.parse(Array(raw.utf8)) }
    }

    @Test("symlink targets may climb only as deep as the link sits, and only before any folder name",
          arguments: [("x", 0, true), ("../x", 1, true), ("../../x", 1, false), ("a/../x", 3, false),
                      ("/x", 5, false), ("", 0, false), ("./../x", 1, true), ("sub/./x", 0, true)])
    func symlinkTargets(_ target: String, _ depth: Int, _ allowed: Bool) {
        let accepted = (try? MemberPath.checkSymlinkTarget(Array(target.utf8), depth: depth)) != nil
        #expect(accepted == allowed)
    }

    @Test("names that are not UTF-8 are kept as bytes and shown with escapes")
    func nonUTF8Names() throws {
        let path = try MemberPath.parse([0x61, 0xFF, 0x2F, 0x62, 0x5C])
        #expect(path.components.map(\.bytes) == [[0x61, 0xFF], [0x62, 0x5C]])
        #expect(path.display == "a\\xFF/b\\")
    }
}

@Suite("content sniffing")
struct ContentSnifferTests {
    @Test("sample files are recognised from their bytes")
    func sampleKinds() throws {
        for path in TestPaths.sampleFiles(endingWith: ".tar.gz") + TestPaths.sampleFiles(endingWith: ".pcapng.gz") {
            #expect(ContentSniffer.kind(of: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(512))) == .gzip)
        }
        for path in TestPaths.sampleFiles(endingWith: ".tar.zst") {
            #expect(ContentSniffer.kind(of: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(512))) == .zstd)
        }
    }

    @Test("captures in the corpus are pcap or pcapng", arguments: ["iot/linux-sll2.pcap", "iot/dhcp.pcapng",
                                                                   "pcapng-conformance/be/basic/test001.pcapng"])
    func corpusCaptures(_ name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: TestPaths.corpus.appendingPathComponent(name)).prefix(512))
        #expect(ContentSniffer.kind(of: bytes) == (name.hasSuffix(".pcap") ? .pcap : .pcapng))
    }

    @Test("text and short inputs are other")
    func other() {
        #expect(ContentSniffer.kind(of: Array("[01-01 18:12:15 TUYA Debug]".utf8)) == .other)
        #expect(ContentSniffer.kind(of: [0x1F]) == .other)
        #expect(ContentSniffer.kind(of: []) == .other)
    }
}

@Suite("UTC date and time")
struct UTCDateTimeTests {
    @Test("epochs print as ISO 8601 UTC", arguments: [(Int64(0), "1970-01-01T00:00:00Z"),
                                                      (1_657_363_909, "2022-07-09T10:51:49Z"),
                                                      (951_782_400, "2000-02-29T00:00:00Z"),
                                                      (-1, "1969-12-31T23:59:59Z")])
    func iso8601(_ seconds: Int64, _ text: String) {
        #expect(UTCDateTime.iso8601(seconds: seconds) == text)
    }

    @Test("an instant in nanoseconds is written with 0, 3, 6 or 9 fraction digits, to the ends of what Int64 holds",
          arguments: [
              (Int64.max, "2262-04-11T23:47:16.854775807Z"), (Int64.min, "1677-09-21T00:12:43.145224192Z"),
              (-1, "1969-12-31T23:59:59.999999999Z"), (0, "1970-01-01T00:00:00Z"), (1_000_000, "1970-01-01T00:00:00.001Z"),
              (1_657_363_909_123_456_000, "2022-07-09T10:51:49.123456Z"), (1_657_363_909_000_000_007, "2022-07-09T10:51:49.000000007Z"),
          ])
    func nanoseconds(instant: Int64, text: String) {
        #expect(UTCDateTime.iso8601(nanoseconds: instant) == text)
    }
}
