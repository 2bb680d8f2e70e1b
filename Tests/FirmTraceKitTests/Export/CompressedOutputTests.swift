import Foundation
import Testing
@testable import FirmTraceKit

/// Outputs named `.gz` or `.zst` are compressed while they are written; `gzip` and `zstd` themselves are
/// the oracles that read them back.
@Suite("compressed outputs")
struct CompressedOutputTests {
    /// Decompresses `path` with the command-line tool for its suffix into `plain`.
    static func decompress(_ path: String, to plain: String) throws {
        let tool = path.hasSuffix(".gz") ? "gzip" : "zstd"
        let result = try Subprocess.run("sh", ["-c", "\(tool) -dc \"$0\" > \"$1\"", path, plain])
        #expect(result.status == 0, "\(tool): \(result.error)")
    }

    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("a timeline named .gz or .zst decompresses, with gzip and zstd, to the plain file's bytes; its format comes from the name inside",
          arguments: OutputCompression.allCases, ["csv", "jsonl"])
    func timeline(_ compression: OutputCompression, _ format: String) throws {
        let scratch = try ScratchFolder()
        let plain = scratch.appending("plain.\(format)"), compressed = scratch.appending("t.\(format)\(compression.rawValue)")
        let expected = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: plain, format: TimelineFormat.guess(fromPath: plain)))
        let outcome = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: compressed,
                                                       format: TimelineFormat.guess(fromPath: compressed)))
        #expect(outcome.written == expected.written)
        try Self.decompress(compressed, to: scratch.appending("back"))
        #expect(try Self.contents(scratch.appending("back")) == Self.contents(plain))
        #expect(try Self.contents(compressed).count * 5 < Self.contents(plain).count)
        #expect(!scratch.tree().contains { $0.hasPrefix(".") }, "no partial file is left")
    }

    @Test("a compressed SQLite timeline decompresses to a database sqlite3 answers; no scratch database is left",
          arguments: OutputCompression.allCases)
    func sqlite(_ compression: OutputCompression) throws {
        let scratch = try ScratchFolder()
        let output = scratch.appending("t.sqlite\(compression.rawValue)")
        #expect(TimelineFormat.guess(fromPath: output) == .sqlite)
        let outcome = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: output, format: .sqlite))
        #expect(scratch.tree() == ["t.sqlite\(compression.rawValue)"])
        try Self.decompress(output, to: scratch.appending("back.sqlite"))
        let count = try Subprocess.run("sqlite3", [scratch.appending("back.sqlite"), "SELECT count(*) FROM events"])
        #expect(count.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(outcome.written))
    }

    @Test("filter's compressed captures hold the plain capture's bytes, pcap or pcapng as the name inside says; tshark reads the gzip one, members and all",
          arguments: OutputCompression.allCases, ["pcap", "pcapng"])
    func capture(_ compression: OutputCompression, _ format: String) throws {
        let scratch = try ScratchFolder()
        let input = TestPaths.corpus.appendingPathComponent("iot/linux-sll2.pcap").path
        let plain = scratch.appending("plain.\(format)"), compressed = scratch.appending("out.\(format)\(compression.rawValue)")
        for output in [plain, compressed] {
            let outcome = try CaptureFilter.run(CaptureFilterRequest(inputs: [input], output: output))
            #expect(outcome.exitStatus == 0 && outcome.packetsWritten == outcome.packetsRead)
        }
        try Self.decompress(compressed, to: scratch.appending("back"))
        #expect(try Self.contents(scratch.appending("back")) == Self.contents(plain))
        #expect(try Self.contents(plain).count > 2 << 20, "more than one gzip member")
        if compression == .gzip {
            let fields = ["-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.protocols"]
            let original = try Subprocess.run("tshark", ["-r", plain] + fields)
            let read = try Subprocess.run("tshark", ["-r", compressed] + fields)
            #expect(read.status == 0, "\(read.error)")
            #expect(read.output == original.output)
        }
    }

    @Test("a compressed file written in pieces large and small reads back whole; one never committed leaves nothing",
          arguments: OutputCompression.allCases)
    func pieces(_ compression: OutputCompression) throws {
        let scratch = try ScratchFolder()
        var generator = SystemRandomNumberGenerator()
        // Text with some randomness, so it neither vanishes into nothing nor stays incompressible.
        let words = (0 ..< 5000).map { _ in String(UInt32.random(in: 0 ..< 5000, using: &generator), radix: 36) }
        let small = Array(words.joined(separator: ",").utf8)
        let large = Array((0 ..< 120).map { _ in words.shuffled().joined(separator: " ") }.joined(separator: "\n").utf8)
        #expect(large.count > 2 << 20, "larger than the file's buffer, so it is compressed straight through")
        let path = scratch.appending("out.txt\(compression.rawValue)")
        let file = try AtomicOutputFile(path: path, overwrite: false)
        for piece in [small, large, small, [], small] { try file.write(piece) }
        try file.commit()
        try Self.decompress(path, to: scratch.appending("back"))
        #expect(try Self.contents(scratch.appending("back")) == Data(small + large + small + small))

        var abandoned: AtomicOutputFile? = try AtomicOutputFile(path: scratch.appending("abandoned\(compression.rawValue)"), overwrite: false)
        try abandoned?.write(large)
        abandoned = nil
        #expect(scratch.tree() == ["back", "out.txt\(compression.rawValue)"])
    }

    @Test("a report named .json.gz is JSON, compressed")
    func reportFormatFromInnerName() throws {
        let scratch = try ScratchFolder()
        let log = scratch.appending("tuya.log")
        try "[07-10 02:31:36 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1657384296\n"
            .write(toFile: log, atomically: true, encoding: .utf8)
        let output = scratch.appending("report.json.gz")
        try BehaviourReport.build(ReportRequest(inputs: [log])).write(to: output, overwrite: false)
        try Self.decompress(output, to: scratch.appending("back.json"))
        let object = try JSONSerialization.jsonObject(with: Self.contents(scratch.appending("back.json"))) as? [String: Any]
        #expect(object?["events"] as? Int == 1)
    }
}
