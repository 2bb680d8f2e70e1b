import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import FirmTraceKit

@Suite("grep inputs")
struct GrepInputsTests {
    static func run(_ inputs: [String], _ query: EventQuery = EventQuery()) -> (events: [Event], outcome: GrepOutcome) {
        let sink = CollectingSink()
        let outcome = Grep.run(GrepRequest(inputs: inputs, query: query), sink: sink)
        return (sink.events, outcome)
    }

    /// Events without their source, which differs between an archive and its extracted files by design.
    static func comparable(_ events: [Event]) -> [String] {
        events.map { event in
            var copy = event
            copy.source = String(event.source.split(separator: "!").last?.split(separator: "/").last ?? "")
            return JSONLSink.line(copy)
        }
    }

    @Test("a log damaged partway (a truncated gzip) hands on every event read before the damage, decoded side by side or not, with one error at the damage")
    func truncatedStreamKeepsWhatWasRead() throws {
        let scratch = try ScratchFolder()
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        // Varied hex, so that the compressed file is large enough to be cut well inside.
        let lines = ["[07-10 02:31:36 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1657384296"]
            + (0 ..< 40_000).map { "[07-10 03:\(two($0 / 60 % 60)):\(two($0 % 60)) TUYA Debug][mqc_app.c:1043] mqtt heartbeat \(String(UInt32(truncatingIfNeeded: $0 &* 2_654_435_761), radix: 16))" }
        let log = scratch.appending("device.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        #expect(try Subprocess.run("gzip", ["-k", log]).status == 0)
        let compressed = try Data(contentsOf: URL(fileURLWithPath: log + ".gz"))
        let damaged = scratch.appending("damaged.log.gz")
        try compressed.prefix(compressed.count * 2 / 3).write(to: URL(fileURLWithPath: damaged))

        var readings: [[Event]] = []
        for sliceBytes: Int64? in [nil, 97, 4096] {
            var request = GrepRequest(inputs: [damaged])
            request.sliceBytes = sliceBytes
            let sink = CollectingSink()
            let outcome = Grep.run(request, sink: sink)
            #expect(outcome.diagnostics.all.filter { $0.severity == .error }.map(\.message) == ["damaged or truncated archive: truncated gzip input"])
            readings.append(sink.events)
        }
        let events = try #require(readings.first)
        #expect(readings.allSatisfy { $0 == events })
        #expect(events.count > 10_000 && events.count < lines.count, "\(events.count) events")
        #expect(events.map(\.line) == Array(1 ... events.count), "every line up to the damage, in order")
    }

    @Test("an archive read in place gives the same events as its extracted files",
          arguments: TestPaths.sampleFiles(endingWith: ".tar.gz") + TestPaths.sampleFiles(endingWith: ".tar.zst"))
    func archiveMatchesExtracted(_ bundle: String) throws {
        let scratch = try ScratchFolder()
        // Nested archives stay packed, so the folder holds exactly what the archive does.
        _ = try Unpack.run(UnpackRequest(archives: [bundle], outputDirectory: scratch.path, maxDepth: 0))
        let bundleFolder = try #require(scratch.tree().first { !$0.contains("/") && $0 != Manifest.fileName })
        let rrlog = scratch.appending("\(bundleFolder)/rrlog")
        // The folder is read in name order (rotated logs oldest first), the archive in its own order.
        let fromArchive = Self.run([bundle])
        let fromFolder = Self.run([rrlog])
        #expect(fromArchive.events.count > 100)
        #expect(Self.comparable(fromArchive.events).sorted() == Self.comparable(fromFolder.events).sorted())
        for kind in ["tuya.post_url", "tuya.connect", "miio.http_dns", "tuya.*"] {
            let query = EventQuery(kindPatterns: [kind])
            #expect(Self.comparable(Self.run([bundle], query).events).sorted() == Self.comparable(Self.run([rrlog], query).events).sorted(), "\(kind)")
            let counted = Grep.run(GrepRequest(inputs: [bundle], query: query, countOnly: true), sink: nil).matched
            let countedFolder = Grep.run(GrepRequest(inputs: [rrlog], query: query, countOnly: true), sink: nil).matched
            #expect(counted == countedFolder)
            #expect(counted == Self.run([rrlog], query).events.count)
        }
    }

    @Test("a file or folder named twice, or reached again through a link, is read once with a notice; links back up end")
    func eachFileReadOnce() throws {
        let scratch = try ScratchFolder()
        let log = scratch.appending("tuya.log")
        try Data("[07-09 20:51:49 TUYA Debug][a.c:1] hello\n[07-09 20:51:50 TUYA Debug][a.c:2] again\n".utf8).write(to: URL(fileURLWithPath: log))
        // Two links back to the folder: followed, every level would list the folder twice over, without end.
        try FileManager.default.createSymbolicLink(atPath: scratch.appending("up"), withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: scratch.appending("over"), withDestinationPath: ".")
        let result = Self.run([scratch.path, log, scratch.path])
        #expect(result.events.map(\.message) == ["hello", "again"])
        #expect(result.outcome.exitStatus == 0)
        let notices = result.outcome.diagnostics.all.filter { $0.severity == .notice }.map(\.description)
        #expect(notices == [
            "\(scratch.appending("over")): notice: the same folder as \(scratch.path), which is read once",
            "\(scratch.appending("up")): notice: the same folder as \(scratch.path), which is read once",
            "\(log): notice: the same file as \(log), which is read once",
            "\(scratch.path): notice: the same folder as \(scratch.path), which is read once",
        ])
        let counted = Grep.run(GrepRequest(inputs: [scratch.path, scratch.path], countOnly: true), sink: nil)
        #expect(counted.matched == 2)
        var expansion = Diagnostics()
        #expect(CaptureFilter.expandFolders([scratch.path, log], &expansion) == [log])
        #expect(expansion.all.count == 3)
    }

    @Test("a folder of rotated logs is read oldest first")
    func rotationOrder() {
        let names = ["tuya.log", "tuya.log.1", "tuya.log.10", "tuya.log.2.gz", "miio.log", "tuya.log.3"]
        #expect(names.sorted { RotatedName($0) < RotatedName($1) } == ["miio.log", "tuya.log.10", "tuya.log.3", "tuya.log.2.gz", "tuya.log.1", "tuya.log"])
    }

    @Test("a compressed single log is read in place, named without its suffix")
    func compressedSingleFile() throws {
        let scratch = try ScratchFolder()
        let path = scratch.appending("tuya.log.1.gz")
        try TestArchive.write([.file("data", Array("[07-09 20:51:49 TUYA Debug][a.c:1] hello\n".utf8))], as: .gzipFile, to: path)
        let result = Self.run([path])
        #expect(result.events.map(\.source) == [path + "!tuya.log.1"])
        #expect(result.events.first?.message == "hello")
    }

    @Test("the literal prefilter never misses: candidate scanning equals decoding every line", arguments: ["tuya.post_url", "tuya.post_data", "tuya.response", "tuya.connect", "tuya.bind_schema", "tuya.device_info", "tuya.rpc", "tuya.time_sync"])
    func prefilterNeverMisses(_ kind: String) throws {
        let scratch = try ScratchFolder()
        var text = ""
        for bundle in TestPaths.sampleFiles(endingWith: ".tar.gz") {
            for event in Self.run([bundle], EventQuery(kindPatterns: ["tuya.*"])).events {
                text += "[\(event.deviceTime ?? "01-01 00:00:00") TUYA Debug][\(event.fields["src"]?.description ?? "a.c:1")] \(event.message)\n"
            }
        }
        // Decoys: the literal in a continuation line and in foreign output must not be counted as events.
        text += "continued Post URL: Post Data: Decode Rev: Connect: read buf:{ bind schema ## time sync success\n"
        let path = scratch.appending("tuya.log")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let gz = scratch.appending("tuya.tar.gz")
        try TestArchive.write([.file("tuya.log", Array(text.utf8))], as: .tarGzip, to: gz)
        let query = EventQuery(kindPatterns: [kind])
        let everyLine = Self.run([gz], query).events
        #expect(Self.comparable(Self.run([path], query).events) == Self.comparable(everyLine))
        #expect(Grep.run(GrepRequest(inputs: [path], query: query, countOnly: true), sink: nil).matched == everyLine.count)
        #expect(Grep.run(GrepRequest(inputs: [gz], query: query, countOnly: true), sink: nil).matched == everyLine.count)
        #expect(!everyLine.isEmpty)
    }

    @Test("--where, --since, --until and --text select events")
    func querySelects() throws {
        let bundle = try #require(TestPaths.sampleFiles(endingWith: ".tar.gz").first)
        let timer = Self.run([bundle], EventQuery(kindPatterns: ["tuya.post_url"], expression: try FilterExpression.parse("api == \"tuya.device.timer.count\"")))
        #expect(timer.events.count == 3)
        let window = Self.run([bundle], EventQuery(kindPatterns: ["tuya.post_url"], since: UTCDateTime.parse("2022-07-09T16:50:00Z"),
                                                   until: UTCDateTime.parse("2022-07-09T17:10:00Z")))
        #expect(window.events.map(\.fields["api"]) == [.string("tuya.device.timer.count"), .string("tuya.device.upgrade.silent.get")])
        let traced = Self.run([bundle], EventQuery(text: "mjae49buaskri74f"))
        #expect(Set(traced.events.map(\.kind)) == [.tuyaDeviceInfo, .tuyaLine])
        #expect(Self.run([bundle], EventQuery(kindPatterns: ["tuya.post_url"], expression: try FilterExpression.parse("api == nothing"))).outcome.exitStatus == 1)
    }
}

@Suite("grep on hostile and odd input")
struct GrepRobustnessTests {
    @Test("random bytes and truncated lines never crash, in every dialect", arguments: 0 ..< 20)
    func randomBytes(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let prefixes = ["[07-09 20:51:49 TUYA Debug][a.c:1] Post URL: https://", "[20220709 16:31:35] [I] f:1, ", "[    2.306924] "]
        var bytes: [UInt8] = Array(prefixes[seed % 3].utf8)
        for _ in 0 ..< 2000 {
            let choice = UInt8.random(in: 0 ... 255, using: &generator)
            bytes.append(choice < 30 ? 0x0A : choice < 60 ? UInt8(ascii: "[") : choice == 0 ? 1 : choice)
            if choice < 5 { bytes += Array(prefixes[Int(choice) % 3].utf8) }
        }
        bytes.removeAll { $0 == 0 }
        let cut = Int.random(in: 1 ..< bytes.count, using: &generator)
        _ = try LogFixture.grep(bytes: Array(bytes[..<cut]))
        _ = try LogFixture.grep(bytes: Array(bytes[..<cut]), query: EventQuery(kindPatterns: ["tuya.post_url"]))
    }

    @Test("invalid UTF-8 is kept as \\xNN escapes, never dropped")
    func invalidUTF8() throws {
        let bytes = Array("[07-09 20:51:49 TUYA Debug][a.c:1] caf".utf8) + [0xE9, 0xFF] + Array(" ok\n".utf8)
        let event = try #require(try LogFixture.grep(bytes: bytes).events.first)
        #expect(event.message == "caf\\xE9\\xFF ok")
        #expect(JSONLSink.line(event).contains("caf\\\\xE9\\\\xFF ok"))
    }

    @Test("a 10 MB line is read whole, in linear time")
    func hugeLine() throws {
        let line = "[07-09 20:51:49 TUYA Debug][a.c:1] " + String(repeating: "x", count: 10_000_000) + "\n[07-09 20:51:50 TUYA Debug][a.c:2] next\n"
        let events = try LogFixture.events(line)
        #expect(events.count == 2)
        #expect(events.first?.message.utf8.count == 10_000_000)
    }

    @Test("a fifo or device in a folder is passed over with a notice, never opened; named, it is an error")
    func specialFiles() throws {
        let scratch = try ScratchFolder()
        try Data("[07-09 20:51:49 TUYA Debug][a.c:1] hello\n".utf8).write(to: URL(fileURLWithPath: scratch.appending("tuya.log")))
        // Nothing ever writes to the fifo: opening it would wait forever.
        let fifo = scratch.appending("tuya.pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: scratch.appending("zero"), withDestinationPath: "/dev/zero")
        let inFolder = GrepInputsTests.run([scratch.path])
        #expect(inFolder.events.map(\.message) == ["hello"])
        #expect(inFolder.outcome.exitStatus == 0)
        #expect(inFolder.outcome.diagnostics.all.map(\.description) == [
            "\(fifo): notice: a fifo or pipe, found in a folder; passed over",
            "\(scratch.appending("zero")): notice: a character device, found in a folder; passed over",
        ])
        let named = GrepInputsTests.run([fifo])
        #expect(named.outcome.exitStatus == 2)
        #expect(named.outcome.diagnostics.all.first?.message.contains("not a file") == true)
        var expansion = Diagnostics()
        #expect(CaptureFilter.expandFolders([scratch.path], &expansion) == [scratch.appending("tuya.log")])
    }

    @Test("an empty file named on the command line is said once, as a warning; empty files in a folder or an archive are passed over quietly")
    func emptyFiles() throws {
        let scratch = try ScratchFolder()
        try Data().write(to: URL(fileURLWithPath: scratch.appending("capture.pcapng")))
        try Data().write(to: URL(fileURLWithPath: scratch.appending("tuya.log.1")))
        let named = GrepInputsTests.run([scratch.appending("capture.pcapng")])
        #expect(named.outcome.diagnostics.all.map(\.description) == ["\(scratch.appending("capture.pcapng")): warning: empty file; nothing to read"])
        #expect(named.outcome.exitStatus == 1, "no event matched; a warning does not make the run fail")
        let inFolder = GrepInputsTests.run([scratch.path])
        #expect(inFolder.outcome.diagnostics.all.isEmpty)
        try TestArchive.write([.file("bundle/tuya.log.1", [])], as: .tarGzip, to: scratch.appending("bundle.tar.gz"))
        #expect(GrepInputsTests.run([scratch.appending("bundle.tar.gz")]).outcome.diagnostics.all.isEmpty)
    }

    @Test("zeros where a log's last writes were lost (a power failure) are dropped and counted; the lines on each side are read, in every dialect",
          arguments: [("tuya.log", "[07-09 20:51:49 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send", "[07-09 20:52:49 TUYA Debug][mqc_app.c:1412] mqtt heart"),
                      ("miio.log", "[20220709 16:31:35] [I] ot_agent:88, one", "[20220709 16:31:36] [I] ot_agent:88, tw"),
                      ("kern.log", "[    2.306924] one", "[    3.306924] tw")] as [(String, String, String)])
    func zerosOfLostWrites(name: String, line: String, cut: String) throws {
        let zeros = [UInt8](repeating: 0, count: 3_000)
        // The second line is cut by the zeros; the log goes on after them, as it does after a restart.
        let bytes = Array("\(line)\n\(cut)".utf8) + zeros + Array("\(line)\n".utf8) + zeros
        let result = try LogFixture.grep(bytes: bytes, name: name)
        #expect(result.events.map(\.line) == [1, 2, 2])
        #expect(result.events.map { $0.message.contains("\u{0}") } == [false, false, false])
        #expect(result.events.map { $0.fields["nul_bytes"] } == [nil, .integer(3_000), .integer(3_000)])
        #expect(result.outcome.exitStatus == 0)
        #expect(result.outcome.diagnostics.all.count == 1)
        let warning = try #require(result.outcome.diagnostics.all.first)
        #expect(warning.severity == .warning)
        #expect(warning.message.hasPrefix("NUL bytes, as a write lost at a power failure leaves: the text around them is read"))
        #expect(warning.location.byteOffset == Int64(line.utf8.count + 1 + cut.utf8.count))
    }

    @Test("a file with NUL bytes all through its first 8 KiB is binary, even with a log line in it")
    func zerosAllThrough() throws {
        var bytes = Array("[07-09 20:51:49 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send\n".utf8)
        for index in 0 ..< 100 { bytes += [0, UInt8(index), 0x41, 0x42] }
        let result = try LogFixture.grep(bytes: bytes)
        #expect(result.events.isEmpty)
        #expect(result.outcome.exitStatus == 2)
        #expect(result.outcome.diagnostics.all.first?.message.contains("binary file (a NUL byte)") == true)
    }

    @Test("a binary file named on the command line is reported and skipped")
    func binaryFile() throws {
        let result = try LogFixture.grep(bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00] + Array("[07-09 20:51:49 TUYA Debug][a.c:1] x\n".utf8),
                                         name: "rriot_tuya")
        #expect(result.events.isEmpty)
        #expect(result.outcome.exitStatus == 2)
        #expect(result.outcome.diagnostics.all.first?.message.contains("binary file") == true)
    }

    @Test("framing does not depend on chunk size", arguments: [1, 2, 3, 7, 64, 65_536])
    func chunkSizes(_ size: Int) {
        let text = Array("one\r\ntwo\n\nthree\nfour".utf8)
        var framer = LineFramer()
        var lines: [String] = []
        text.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = min(start + size, bytes.count)
                framer.feed(UnsafeRawBufferPointer(rebasing: bytes[start ..< end])) { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
                start = end
            }
        }
        framer.finish { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(lines == ["one", "two", "", "three", "four"])
        #expect(framer.lineCount == 5)
    }
}

/// SplitMix64: random bytes that are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
