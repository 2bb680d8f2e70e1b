import Foundation
import Testing
@testable import FirmTraceKit

@Suite("bundles under random damage")
struct ArchiveMutationTests {
    @Test("damaged bundles never crash unpack or grep, and unpack never leaves a partial file",
          .timeLimit(.minutes(2)), arguments: TestPaths.sampleFiles(endingWith: ".tar.gz") + TestPaths.sampleFiles(endingWith: ".tar.zst"))
    func mutations(_ bundle: String) throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: bundle)))
        var generator = SeededGenerator(seed: UInt64(original.count))
        let scratch = try ScratchFolder()
        for round in 0 ..< 25 {
            var bytes = original
            for _ in 0 ..< Int.random(in: 1 ... 6, using: &generator) {
                let position = Int.random(in: 0 ..< bytes.count, using: &generator)
                bytes[position] = UInt8.random(in: 0 ... 255, using: &generator)
            }
            if round % 4 == 0 { bytes = Array(bytes.prefix(Int.random(in: 1 ... bytes.count, using: &generator))) }
            let path = scratch.appending("mutant-\(round)" + (bundle.hasSuffix(".zst") ? ".tar.zst" : ".tar.gz"))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let output = scratch.appending("out-\(round)")
            _ = try Unpack.run(UnpackRequest(archives: [path], outputDirectory: output))
            #expect(!scratch.tree("out-\(round)").contains { $0.contains(".firmtrace-partial") })
            _ = Grep.run(GrepRequest(inputs: [path], countOnly: true), sink: nil)
            _ = Grep.run(GrepRequest(inputs: [path], query: EventQuery(kindPatterns: ["tuya.post_url"])), sink: CollectingSink())
        }
    }

    @Test("random text never crashes any log parser, whatever dialect it starts as", .timeLimit(.minutes(1)),
          arguments: ["[07-09 20:51:49 TUYA Debug][a.c:1] Post Data: {\"t\":", "[20220709 16:31:35] [I] f:1, HTTP-DNS ", "[    2.306924] "])
    func randomLogText(_ start: String) throws {
        var generator = SeededGenerator(seed: UInt64(start.utf8.count))
        let alphabet = Array("[]{}\":,0123456789 -.TUYA\n\r\t\u{1B}#=&?/abcdefxyz".utf8)
        for _ in 0 ..< 40 {
            var bytes = Array(start.utf8)
            for _ in 0 ..< 3000 { bytes.append(alphabet[Int.random(in: 0 ..< alphabet.count, using: &generator)]) }
            _ = try LogFixture.grep(bytes: bytes, tuyaKey: "7c4f9e1a2b3d5e6f")
            _ = try LogFixture.grep(bytes: bytes, query: EventQuery(kindPatterns: ["tuya.post_url"]))
        }
    }
}
