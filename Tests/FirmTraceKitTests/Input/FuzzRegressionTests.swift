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
        case "FuzzLogs", "FuzzCapture", "FuzzArchive":
            let scratch = try ScratchFolder()
            let name = ["FuzzLogs": "tuya.log", "FuzzCapture": "capture.pcapng", "FuzzArchive": "bundle.tar.gz"][harness]!
            let path = scratch.appending(name)
            try bytes.write(to: URL(fileURLWithPath: path))
            _ = Grep.run(GrepRequest(inputs: [path]), sink: CollectingSink())
            var request = ReportRequest(inputs: [path])
            request.registry = "/nonexistent"
            _ = ReportHTML.render(BehaviourReport.build(request))
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

    @Test("a miio line dated 9999 (past what nanoseconds hold) has no time instead of trapping")
    func farFutureYear() throws {
        let events = try LogFixture.events("[99991231 23:59:59] [I] f:1, far\n[00000101 00:00:00] [I] f:1, near\n[20220709 16:31:35] [I] f:1, real\n",
                                           name: "miio.log")
        #expect(events.count == 3)
        #expect(events[0].time == nil)
        #expect(events[2].time == 1_657_384_295_000_000_000)
    }
}
