import Foundation
import Testing
@testable import FirmTraceKit

/// One row of Fixtures/tshark-packets.tsv, made by Scripts/make-capture-expectations with tshark 4.0.
struct TsharkReading: CustomTestStringConvertible, Sendable {
    let file: String
    let status: Int
    let complaint: String
    let packets: Int
    let timestampsSHA256: String

    var testDescription: String { file }

    var path: String { TestPaths.capture(file) }

    var readCompletely: Bool { status == 0 && complaint.trimmingCharacters(in: .whitespaces).isEmpty }

    static let all: [TsharkReading] = Fixtures.rows("tshark-packets.tsv", columns: 5).compactMap { columns in
        guard let status = Int(columns[1]), let packets = Int(columns[3]) else { return nil }
        return TsharkReading(file: columns[0], status: status, complaint: columns[2], packets: packets, timestampsSHA256: columns[4])
    }
}

@Suite("capture readers against tshark")
struct CaptureReaderTests {
    struct Reading {
        var timestamps: [String] = []
        var diagnostics = Diagnostics()
        var digest: String { Fixtures.digest(ofLines: timestamps) }
    }

    static func read(_ path: String) -> Reading {
        var reading = Reading()
        CaptureInputs.forEachPacket([path], diagnostics: &reading.diagnostics) { packet, _ in
            // tshark prints nothing for a packet without a time (a pcapng simple packet block).
            if let time = packet.timestamp {
                let (seconds, nanoseconds) = time.floorDivided(by: 1_000_000_000)
                reading.timestamps.append("\(seconds).\(String(nanoseconds).leftPadded(to: 9))")
            } else {
                reading.timestamps.append("")
            }
            return true
        }
        return reading
    }

    @Test("the oracle covers the corpus and the samples")
    func oracleIsComplete() {
        #expect(TsharkReading.all.count >= 880)
    }

    @Test("where tshark reads a capture completely, firmtrace reads the same packets with the same timestamps",
          .timeLimit(.minutes(2)), arguments: TsharkReading.all.filter(\.readCompletely))
    func sameAsTshark(_ expected: TsharkReading) {
        let reading = Self.read(expected.path)
        #expect(reading.timestamps.count == expected.packets)
        #expect(!reading.diagnostics.hasErrors, "\(reading.diagnostics.all)")
        // tshark's own arithmetic wraps on an out-of-range microsecond field; firmtrace keeps it and says so.
        if reading.diagnostics.all.contains(where: { $0.message.contains("out of range") }) { return }
        #expect(reading.digest == expected.timestampsSHA256, "first timestamps: \(reading.timestamps.prefix(3))")
    }

    @Test("captures tshark finds cut short give their complete packets and a warning; no file crashes or hangs",
          .timeLimit(.minutes(2)), arguments: TsharkReading.all.filter { !$0.readCompletely })
    func damagedCaptures(_ expected: TsharkReading) {
        let reading = Self.read(expected.path)
        if expected.complaint.contains("cut short") {
            #expect(reading.timestamps.count == expected.packets)
            #expect(reading.diagnostics.all.contains { $0.severity == .warning && $0.message.contains("cut short") })
        }
    }
}

@Suite("folders of rotated captures")
struct RotatedCaptureTests {
    /// A little-endian microsecond pcap (raw IPv4) with one UDP datagram per second from `start`.
    static func pcap(start: UInt32, packets: Int) -> [UInt8] {
        func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        var bytes = le32(0xA1B2_C3D4) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(101)
        for index in 0 ..< packets {
            let datagram = FlowBoundTests.datagram(sourcePort: UInt16(1000 + index))
            bytes += le32(start + UInt32(index)) + le32(0) + le32(UInt32(datagram.count)) + le32(UInt32(datagram.count)) + datagram
        }
        return bytes
    }

    @Test("captures in a folder are read by their first packet's time, whatever their names; compressed ones too")
    func timeOrder() throws {
        let scratch = try ScratchFolder()
        // Named the way tcpdump -C names its files: name order is pcap0, pcap1, pcap10, pcap2.
        let files: [(String, UInt32)] = [("dump.pcap0", 1_000), ("dump.pcap1", 2_000), ("dump.pcap10", 11_000), ("dump.pcap2", 3_000)]
        for (name, start) in files {
            try Data(Self.pcap(start: start, packets: 2)).write(to: URL(fileURLWithPath: scratch.appending(name)))
        }
        try TestArchive.write([.file("later.pcap", Self.pcap(start: 5_000, packets: 2))], as: .gzipFile, to: scratch.appending("a-later.pcap.gz"))
        try Data("[07-09 20:51:49:123 TUYA Debug][x.c:1] a log line stays where its name puts it\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.appending("tuya.log")))
        var diagnostics = Diagnostics()
        var times: [Int64] = []
        CaptureInputs.forEachPacket([scratch.path], diagnostics: &diagnostics) { packet, _ in
            times.append(packet.timestamp! / 1_000_000_000)
            return true
        }
        #expect(times == [1_000, 1_001, 2_000, 2_001, 3_000, 3_001, 5_000, 5_001, 11_000, 11_001])
        #expect(CaptureOrder.arranged(["x/tuya.log"]) == ["x/tuya.log"])
    }
}
