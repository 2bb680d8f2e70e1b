import Foundation
import Testing
@testable import FirmTraceKit

/// Every input a fuzz harness crashed on (Fixtures/fuzz/<harness>/), run through the same code as the
/// harness: each must now end normally. Scripts/fuzz leaves new ones in fuzz-output/; they are added here.
@Suite("inputs the fuzzers crashed on")
struct FuzzRegressionTests {
    static let folder = TestPaths.projectRoot.appendingPathComponent("Tests/FirmTraceKitTests/Fixtures/fuzz")

    static var inputs: [String] {
        let harnesses = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return harnesses.sorted().flatMap { harness in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(harness).path)) ?? []).sorted()
                .map { "\(harness)/\($0)" }
        }
    }

    @Test("the input runs to the end", arguments: inputs)
    func runsToTheEnd(_ input: String) throws {
        let harness = String(input.prefix { $0 != "/" })
        let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(input))
        switch harness {
        case "FuzzJSON":
            _ = bytes.withUnsafeBytes { try? JSONParser.parse($0) }
        case "FuzzFilter":
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? PacketFilter(text)
            if let expression = try? FilterExpression.parse(text) {
                _ = EventQuery(expression: expression).matches(Event(kind: .tuyaLine, origin: "rriot_tuya", source: "t", message: "m"))
            }
        case "FuzzLogs":
            // As the harness reads it: named by its first byte, then as slices of its second byte's size,
            // which must give what one reading gives.
            let scratch = try ScratchFolder()
            let names = ["tuya.log", "miio.log", "kern.log", "tuya.log.1", "000137.20220710033500000_R0018S91200123_v01.15.58.log"]
            let path = scratch.appending(bytes.isEmpty ? names[0] : names[Int(bytes[0]) % names.count])
            try bytes.write(to: URL(fileURLWithPath: path))
            var request = GrepRequest(inputs: [path])
            request.sliceBytes = nil
            let whole = CollectingSink()
            _ = Grep.run(request, sink: whole)
            request.sliceBytes = 1 + Int64(bytes.count > 1 ? bytes[1] : 0)
            let sliced = CollectingSink()
            _ = Grep.run(request, sink: sliced)
            #expect(sliced.events == whole.events)
        case "FuzzCapture", "FuzzArchive":
            let scratch = try ScratchFolder()
            let name = harness == "FuzzCapture" ? "capture.pcapng" : "bundle.tar.gz"
            let path = scratch.appending(name)
            try bytes.write(to: URL(fileURLWithPath: path))
            _ = Grep.run(GrepRequest(inputs: [path]), sink: CollectingSink())
            var request = ReportRequest(inputs: [path])
            request.registry = "/nonexistent"
            _ = ReportHTML.render(BehaviourReport.build(request))
        case "FuzzCorrelate":
            // As the harness splits it: the log's name, its length, the log, then the capture.
            guard bytes.count >= 5 else { return }
            let scratch = try ScratchFolder()
            let declared = Int(bytes[1]) | Int(bytes[2]) << 8 | Int(bytes[3]) << 16 | Int(bytes[4]) << 24
            let logBytes = min(declared, bytes.count - 5)
            let log = scratch.appending(["tuya.log", "miio.log", "tuya.log.1"][Int(bytes[0]) % 3])
            try bytes[5 ..< 5 + logBytes].write(to: URL(fileURLWithPath: log))
            let capture = scratch.appending("capture.pcapng")
            try bytes[(5 + logBytes)...].write(to: URL(fileURLWithPath: capture))
            let output = scratch.appending("linked.jsonl")
            let outcome = try Correlate.run(CorrelateRequest(logs: [log], captures: [capture], output: output, format: .jsonl))
            _ = CorrelationReport.json(outcome)
            // As the harness checks it: every event written reads back, and one not written is not there.
            let timeline = try #require(outcome.timeline)
            let lines = FileManager.default.fileExists(atPath: output) ? try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n") : nil
            #expect(timeline.isWritten ? lines?.count == timeline.written : lines == nil)
        default:
            Issue.record("no replay for harness \(harness)")
        }
    }

    @Test("a high surrogate followed by another high surrogate is two replacement characters, not an overflow")
    func loneSurrogates() throws {
        #expect(try JSONParser.parse("\"a\\uDAef\\uDAefb\"") == .string("a\u{FFFD}\u{FFFD}b"))
        #expect(try JSONParser.parse("\"\\uD83D\\uDE00\"") == .string("😀"))
        #expect(try JSONParser.parse("\"\\uD83D\\u0041\"") == .string("\u{FFFD}A"))
    }

    @Test("a filter nested or chained past the bounds is refused with a column, never a stack overflow")
    func filterDepth() {
        let deep = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        #expect(throws: FilterError.self) { try FilterExpression.parse(deep) }
        let nots = String(repeating: "!", count: 10_000) + "a"
        #expect(throws: FilterError.self) { try FilterExpression.parse(nots) }
        let chain = Array(repeating: "a == 1", count: 5_000).joined(separator: " || ")
        #expect(throws: FilterError.self) { try FilterExpression.parse(chain) }
        #expect((try? FilterExpression.parse(String(repeating: "(", count: 60) + "a" + String(repeating: ")", count: 60))) != nil)
        do {
            _ = try FilterExpression.parse(deep)
        } catch {
            #expect(error.description.contains("too complex: parentheses and '!' nested more than 64 deep"))
        }
    }

    @Test("times spread over more than 73 years (a broken clock) are not timed, and do not overflow")
    func periodicityHugeSpan() {
        let times: [Int64] = [-1_000_000_000_000_000_000, 0, 4_000_000_000_000_000_000, 8_000_000_000_000_000_000]
        #expect(Periodicity.detect(times).verdict == .irregular)
        #expect(Periodicity.detect([Int64.min, 0, Int64.max]).verdict == .irregular)
    }

    @Test("a miio line dated 9999 (past what nanoseconds hold) has no time instead of trapping")
    func farFutureYear() throws {
        let events = try LogFixture.events("[99991231 23:59:59] [I] f:1, far\n[00000101 00:00:00] [I] f:1, near\n[20220709 16:31:35] [I] f:1, real\n",
                                           name: "miio.log")
        #expect(events.count == 3)
        #expect(events[0].time == nil)
        #expect(events[2].time == 1_657_384_295_000_000_000)
    }
}
