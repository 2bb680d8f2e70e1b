import Foundation
import Testing
@testable import FirmTraceKit

@Suite("timeline export", .serialized)
struct TimelineTests {
    static let inputs = Array(TestPaths.sampleFiles(endingWith: ".tar.gz").prefix(1) + TestPaths.sampleFiles(endingWith: ".pcapng.gz").prefix(1))

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("events come out in time order, untimed ones last; a tiny memory bound (many spilled runs) changes nothing")
    func orderAndSpill() throws {
        let scratch = try ScratchFolder()
        let inMemory = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("memory.jsonl"), format: .jsonl))
        let spilled = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("spilled.jsonl"), format: .jsonl,
                                                       memoryBytes: 4096))
        #expect(inMemory.written > 20_000)
        #expect(try Self.lines(scratch.appending("memory.jsonl")) == Self.lines(scratch.appending("spilled.jsonl")))
        #expect(spilled.written == inMemory.written)
        let events = try Self.lines(scratch.appending("spilled.jsonl")).map { line in
            try #require(Array(line.utf8).withUnsafeBytes { EventJSONDecoder.decode($0) })
        }
        let times = events.compactMap(\.time)
        #expect(times == times.sorted())
        #expect(events.suffix(events.count - times.count).allSatisfy { $0.time == nil })
        // Ids name events by arrival, so they are the same in every read of the same inputs.
        #expect(Set(events.compactMap(\.id)) == Set((1 ... events.count).map { "e\($0)" }))
        #expect(!scratch.tree().contains { $0.hasPrefix(".firmtrace") }, "scratch runs and partial files are removed")
    }

    @Test("the same bundle given twice (.tar.gz beside .tar.zst) is read once: the folder's timeline is one copy's, byte for byte, and a notice names the copy")
    func repeatedEvidenceReadOnce() throws {
        let scratch = try ScratchFolder()
        let folder = TestPaths.samples.appendingPathComponent("v01.15.58").path
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tar.") }
        #expect(copies.count == 2, "the sample holds the bundle twice")
        let both = try Timeline.run(TimelineRequest(inputs: [folder], output: scratch.appending("both.csv"), format: .csv))
        let one = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("one.csv"), format: .csv))
        #expect(both.written == one.written)
        #expect(try Self.lines(scratch.appending("both.csv")) == Self.lines(scratch.appending("one.csv")))
        #expect(both.diagnostics.all.contains { $0.message.hasPrefix("the same evidence as ") && $0.location.source.hasSuffix(".tar.zst") })
        let clock = try Correlate.run(CorrelateRequest(logs: [folder], captures: []))
        #expect(clock.correlation.sources.allSatisfy { !$0.source.contains(".tar.zst") })
    }

    @Test("more runs than the merge opens at once go through intermediate merges and give the same file")
    func intermediateMerges() throws {
        let scratch = try ScratchFolder()
        let inputs = TestPaths.sampleFiles(endingWith: ".tar.gz") + TestPaths.sampleFiles(endingWith: ".pcapng.gz")
        _ = try Timeline.run(TimelineRequest(inputs: inputs, output: scratch.appending("direct.csv"), format: .csv))
        // A tiny memory bound makes a run of nearly every batch; three at a time makes several passes.
        var request = TimelineRequest(inputs: inputs, output: scratch.appending("staged.csv"), format: .csv, memoryBytes: 2048)
        request.mergeFanIn = 3
        _ = try Timeline.run(request)
        #expect(try Self.lines(scratch.appending("staged.csv")) == Self.lines(scratch.appending("direct.csv")))
        #expect(!scratch.tree().contains { $0.hasPrefix(".firmtrace") })
    }

    /// A log that is hard to cut: unprefixed lines first, a pre-sync run with no epoch for a while (held
    /// across many slices), a clock step, continuation lines, a reboot's second pre-sync run, ANSI-coloured
    /// lines, and last an event with `continuationLines` unprefixed lines after it.
    static func hardToSliceLog(in scratch: ScratchFolder, continuationLines: Int = 0) throws -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var lines = ["boot banner without a prefix", "second banner line"]
        for second in 0 ..< 400 { lines.append("[01-01 00:\(two(second / 60)):\(two(second % 60)) TUYA Debug][a.c:2] waiting \(second)") }
        lines.append("[07-10 02:31:36 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1657384296")
        for minute in 0 ..< 20 {
            for second in 0 ..< 60 where second % 3 == 0 {
                let stamp = "07-10 \(two(3 + minute / 60)):\(two(minute)):\(two(second))"
                lines.append("[\(stamp) TUYA Debug][mqc_app.c:1043] mqtt heartbeat send")
                lines.append("[\(stamp) TUYA Debug][iot_httpc.c:883] Post Data: {")
                lines.append("    \"t\": \(1657390800 + minute * 60 + second),")
                lines.append("    \"devId\": \"bf7e9b4aacf4f733d8o3zz\"}")
                lines.append("\u{1B}[32m[\(stamp) TUYA Info][tls.c:9] coloured\u{1B}[0m")
            }
            if minute == 10 {
                for second in 0 ..< 50 { lines.append("[01-01 00:00:\(two(second)) TUYA Debug][a.c:1] rebooted \(second)") }
            }
        }
        lines += ["[01-01 00:00:01 TUYA Debug][a.c:1] rebooted, never synced again", "[01-01 00:00:02 TUYA Debug][a.c:1] last"]
        if continuationLines > 0 {
            lines.append("[01-01 00:00:03 TUYA Debug][httpc.c:9] response body:")
            lines += (0 ..< continuationLines).map { "  body line \($0)" }
        }
        let log = scratch.appending("device.log")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        return log
    }

    @Test("a log read as slices side by side gives what one reading gives: held and pre-sync events, continuations, lines, ids, links",
          arguments: [613, 2048, 7919])
    func slicedLog(sliceBytes: Int) throws {
        let scratch = try ScratchFolder()
        let log = try Self.hardToSliceLog(in: scratch)
        let bundle = try #require(TestPaths.sampleFiles(endingWith: ".tar.gz").first)
        let unpacked = scratch.appending("bundle")
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        #expect(try Subprocess.run("tar", ["-xzf", bundle, "-C", unpacked]).status == 0)
        let inputs = [log, unpacked] + TestPaths.sampleFiles(endingWith: ".pcapng.gz").prefix(1)

        let plan = LogReadPlan(wantsKind: { _ in true }, needsEvents: true)
        let unit = InputWalker.Unit(path: log, isExplicit: true, firstPacketTime: nil)
        let slicing = try #require(SlicedLog(unit, plan: plan, sliceBytes: Int64(sliceBytes)))
        let file = try FileChunkReader(path: log)
        let ranges = (0 ..< slicing.sliceCount).map { slicing.range(ofSlice: $0, in: file) }
        #expect(ranges.filter { !$0.isEmpty }.count > 10)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "the slices follow on, the file whole")
        let size = Int64(try Data(contentsOf: URL(fileURLWithPath: log)).count)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == size)
        for format in [TimelineFormat.csv, .jsonl] {
            var whole = TimelineRequest(inputs: inputs, output: scratch.appending("whole.\(format)"), format: format)
            whole.sliceBytes = nil
            var sliced = TimelineRequest(inputs: inputs, output: scratch.appending("sliced.\(format)"), format: format)
            sliced.sliceBytes = Int64(sliceBytes)
            let wholeOutcome = try Timeline.run(whole)
            let slicedOutcome = try Timeline.run(sliced)
            #expect(try Self.lines(whole.output) == Self.lines(sliced.output))
            #expect(slicedOutcome.correlation.sources.map(\.matched) == wholeOutcome.correlation.sources.map(\.matched))
            #expect(wholeOutcome.correlation.sources.contains { $0.matched > 0 }, "the bundle's logs are linked to the capture")
        }
        let text = try String(contentsOfFile: scratch.appending("sliced.csv"), encoding: .utf8)
        #expect(text.contains("placed_from") && text.contains("log_unsynced") && text.contains("boot banner"))
    }

    @Test("a log read as a stream (inside an archive, compressed, or a file grep reads) and decoded side by side gives what one reading gives",
          arguments: [97, 613, 7919])
    func streamDecodedSideBySide(sliceBytes: Int) throws {
        let scratch = try ScratchFolder()
        // 600 unprefixed lines at the end: at the smaller slices no line begins one for eight slices, and
        // the rest of the stream is read in order.
        let log = try Self.hardToSliceLog(in: scratch, continuationLines: 600)
        let archive = scratch.appending("logs.tar.gz")
        #expect(try Subprocess.run("tar", ["-czf", archive, "-C", scratch.appending(""), "device.log"]).status == 0)
        let inputs = [archive] + TestPaths.sampleFiles(endingWith: ".tar.gz").prefix(1) + TestPaths.sampleFiles(endingWith: ".pcapng.gz").prefix(1)
        var whole = TimelineRequest(inputs: inputs, output: scratch.appending("whole.csv"), format: .csv)
        whole.sliceBytes = nil
        var sliced = whole
        sliced.output = scratch.appending("sliced.csv")
        sliced.sliceBytes = Int64(sliceBytes)
        let wholeOutcome = try Timeline.run(whole)
        let slicedOutcome = try Timeline.run(sliced)
        #expect(try Self.lines(whole.output) == Self.lines(sliced.output))
        #expect(slicedOutcome.correlation.sources.map(\.matched) == wholeOutcome.correlation.sources.map(\.matched))
        let text = try String(contentsOfFile: sliced.output, encoding: .utf8)
        #expect(text.contains("placed_from") && text.contains("log_unsynced") && text.contains("body line 299"))

        // grep reads the plain file as a stream too: all kinds, one kind (the others decoded only for the
        // clock), and a reader that goes away after 50 events.
        for (query, limit) in [(EventQuery(), Int.max), (EventQuery(kindPatterns: ["tuya.post_data"]), Int.max), (EventQuery(), 50)] {
            var request = GrepRequest(inputs: [log], query: query)
            request.sliceBytes = nil
            let wholeEvents = CollectingSink(limit: limit)
            _ = Grep.run(request, sink: wholeEvents)
            request.sliceBytes = Int64(sliceBytes)
            let slicedEvents = CollectingSink(limit: limit)
            _ = Grep.run(request, sink: slicedEvents)
            #expect(slicedEvents.events == wholeEvents.events)
            #expect(wholeEvents.events.count == min(limit, query.kindPatterns.isEmpty ? 1_655 : 400))
        }
    }

    @Test("an archive's members read side by side, whole or in windows past the limit, give what reading them one after another gives",
          arguments: [613, 7919])
    func archiveMembersSideBySide(sliceBytes: Int) throws {
        let scratch = try ScratchFolder()
        let log = try Data(contentsOf: URL(fileURLWithPath: try Self.hardToSliceLog(in: scratch)))
        let lines = log.split(separator: 0x0A, omittingEmptySubsequences: false)
        let third = lines.count / 3
        let rotations = [lines[..<third], lines[third ..< 2 * third], lines[(2 * third)...]].map { Array($0.joined(separator: [0x0A])) + [0x0A] }
        let capture = try #require(TestPaths.sampleFiles(endingWith: ".pcapng.gz").first)
        // No line in it begins a slice after the first two: past the limit it cannot be cut at all.
        let oneEvent = (["[07-10 02:31:36 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1657384296",
                         "[07-10 02:31:37 TUYA Debug][iot_httpc.c:883] Post Data: {"]
            + (0 ..< 600).map { "    \"k\($0)\": \($0)," } + ["}"]).joined(separator: "\n") + "\n"
        let members: [TestArchive.Entry] = [.file("logs/tuya.log.2", rotations[0]), .file("logs/tuya.log.1", rotations[1]),
                                            .file("logs/tuya.log", rotations[2]), .file("capture.pcapng.gz", Array(try Data(contentsOf: URL(fileURLWithPath: capture)))),
                                            .file("notes.txt", Array("not a log\n".utf8)),
                                            .file("logs/other.log", Array(try Data(contentsOf: URL(fileURLWithPath:
                                                try Self.hardToSliceLog(in: scratch, continuationLines: 600))))),
                                            .file("logs/one-event.log", Array(oneEvent.utf8))]
        try TestArchive.write(members, as: .tarZstd, to: scratch.appending("bundle.tar.zst"))
        // The same bundle compressed otherwise: the same evidence, read once, whichever way its members were read.
        try TestArchive.write(members, as: .tarGzip, to: scratch.appending("bundle.tar.gz"))
        try TestArchive.write([.file("device.log", Array(log))], as: .gzipFile, to: scratch.appending("device.log.gz"))
        // Cut inside its second log: the first is read whole, the second up to the damage.
        try TestArchive.write(Array(members.prefix(2)), as: .tarGzip, to: scratch.appending("whole.tar.gz"))
        let damaged = try Data(contentsOf: URL(fileURLWithPath: scratch.appending("whole.tar.gz")))
        try damaged.prefix(damaged.count * 3 / 4).write(to: URL(fileURLWithPath: scratch.appending("damaged.tar.gz")))
        let inputs = ["bundle.tar.zst", "device.log.gz", "damaged.tar.gz", "bundle.tar.gz"].map(scratch.appending)

        var oneByOne = TimelineRequest(inputs: inputs, output: scratch.appending("one-by-one.csv"), format: .csv)
        oneByOne.sliceBytes = nil
        let expected = try Timeline.run(oneByOne)
        #expect(expected.diagnostics.all.contains { $0.severity == .error && $0.location.source.hasSuffix("damaged.tar.gz") })
        #expect(expected.diagnostics.all.contains { $0.message.hasPrefix("the same evidence as ") && $0.location.source.hasSuffix("bundle.tar.gz") })
        for wholeMemberBytes in [MemberBytes.wholeLimit, 4_096] {
            var sideBySide = oneByOne
            sideBySide.output = scratch.appending("side-by-side-\(wholeMemberBytes).csv")
            (sideBySide.sliceBytes, sideBySide.wholeMemberBytes) = (Int64(sliceBytes), wholeMemberBytes)
            let outcome = try Timeline.run(sideBySide)
            #expect(try Self.lines(sideBySide.output) == Self.lines(oneByOne.output))
            #expect(outcome.diagnostics.all.map(\.description) == expected.diagnostics.all.map(\.description))
            #expect(outcome.correlation.sources.map(\.matched) == expected.correlation.sources.map(\.matched))
        }
        let text = try String(contentsOfFile: oneByOne.output, encoding: .utf8)
        #expect(text.contains("placed_from") && text.contains("log_unsynced") && text.contains("tuya.log.1"))
    }

    @Test("a log read in slices, as a file or an archive member, says what reading it whole says: the NUL bytes a lost write left")
    func slicedLogMessages() throws {
        let scratch = try ScratchFolder()
        var log = Array(try Data(contentsOf: URL(fileURLWithPath: try Self.hardToSliceLog(in: scratch))))
        let secondLine = try #require(log.firstIndex(of: 0x0A)) + 1
        log.insert(contentsOf: [UInt8](repeating: 0, count: 24), at: secondLine)
        try Data(log).write(to: URL(fileURLWithPath: scratch.appending("zeros.log")))
        try TestArchive.write([.file("zeros.log", log)], as: .tarGzip, to: scratch.appending("zeros.tar.gz"))
        var whole = TimelineRequest(inputs: [scratch.appending("zeros.log"), scratch.appending("zeros.tar.gz")],
                                    output: scratch.appending("whole.csv"), format: .csv)
        whole.sliceBytes = nil
        var sliced = whole
        (sliced.output, sliced.sliceBytes) = (scratch.appending("sliced.csv"), 613)
        let messages = try [whole, sliced].map { try Timeline.run($0).diagnostics.all.map(\.description) }
        #expect(messages[1] == messages[0])
        #expect(messages[0].filter { $0.contains("NUL bytes, as a write lost") }.count == 2, "\(messages[0])")
        #expect(try Self.lines(sliced.output) == Self.lines(whole.output))
    }

    @Test("a stretch without a line that begins an event, longer than a boundary is looked for, leaves its slices empty and the timeline whole")
    func slicesWithoutBoundary() throws {
        let scratch = try ScratchFolder()
        // 6,000 continuation lines: some 100 KB, past `SlicedLog.boundaryWindow`.
        let log = try Self.hardToSliceLog(in: scratch, continuationLines: 6_000)
        let sliceBytes = 2_048
        let slicing = try #require(SlicedLog(InputWalker.Unit(path: log, isExplicit: true, firstPacketTime: nil),
                                             plan: LogReadPlan(wantsKind: { _ in true }, needsEvents: true), sliceBytes: Int64(sliceBytes)))
        let file = try FileChunkReader(path: log)
        // Asked for from the end first: whichever slice looks first, the ends are the same.
        let ranges = (0 ..< slicing.sliceCount).reversed().map { slicing.range(ofSlice: $0, in: file) }.reversed()
        #expect(ranges.filter(\.isEmpty).count > 10)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })

        var whole = TimelineRequest(inputs: [log], output: scratch.appending("whole.csv"), format: .csv)
        whole.sliceBytes = nil
        var sliced = whole
        sliced.output = scratch.appending("sliced.csv")
        sliced.sliceBytes = Int64(sliceBytes)
        _ = try Timeline.run(whole)
        _ = try Timeline.run(sliced)
        #expect(try Self.lines(whole.output) == Self.lines(sliced.output))
        #expect(try String(contentsOfFile: sliced.output, encoding: .utf8).contains("body line 5999"))
    }

    /// A Tuya log of random lines, seeded: prefixed lines, Post Data and URL pairs, continuation lines and
    /// (rarely) a stretch of them longer than a slice boundary is looked for, pre-sync runs, clock steps back,
    /// blank, CRLF, coloured and invalid UTF-8 lines, and runs of zeros (lost writes) cutting a line short or
    /// between two.
    static func randomLog(seed: UInt64, in scratch: ScratchFolder) throws -> String {
        var random = SeededGenerator(seed: seed)
        var bytes: [UInt8] = []
        func line(_ text: String) { bytes += Array(text.utf8) + [0x0A] }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var second = 3 * 3600
        func stamp() -> String { "07-10 \(two(second / 3600 % 24)):\(two(second / 60 % 60)):\(two(second % 60))" }
        if Bool.random(using: &random) {
            line("[\(stamp()) TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc \(1657384200 + second - 10 * 3600)")
        }
        for index in 0 ..< Int.random(in: 300 ... 1_200, using: &random) {
            second += Int.random(in: 0 ... 3, using: &random)
            switch Int.random(in: 0 ..< 100, using: &random) {
            case ..<55: line("[\(stamp()) TUYA Debug][mqc_app.c:1043] mqtt heartbeat send \(index)")
            case ..<65:
                line("[\(stamp()) TUYA Debug][iot_httpc.c:883] Post Data: {\"t\":\(1657384200 + second - 10 * 3600)}")
                line("[\(stamp()) TUYA Debug][iot_httpc.c:894] Post URL: https://a2.tuyaeu.com/d.json?a=tuya.device.timer.count&t=1")
            case ..<73: (0 ..< Int.random(in: 1 ... 5, using: &random)).forEach { line("    continued \(index).\($0)") }
            case ..<74: (0 ..< Int.random(in: 1 ... 6_000, using: &random)).forEach { line("  body \($0)") }
            case ..<80:
                (0 ..< Int.random(in: 1 ... 30, using: &random)).forEach { line("[01-01 00:00:\(two($0 % 60)) TUYA Debug][a.c:1] waiting \(index)") }
            case ..<82: second -= Int.random(in: 5 ... 600, using: &random)
            case ..<84:
                bytes += Array("[\(stamp()) TUYA Debug][mqc_app.c:1043] mqtt hea".utf8) + Array(repeating: 0, count: Int.random(in: 1 ... 5_000, using: &random))
            case ..<85: bytes += Array(repeating: 0, count: Int.random(in: 1 ... 5_000, using: &random))
            case ..<86: line("")
            case ..<90: bytes += Array("[\(stamp()) TUYA Info][b.c:7] with CRLF \(index)\r\n".utf8)
            case ..<95: line("\u{1B}[32m[\(stamp()) TUYA Info][tls.c:9] coloured \(index)\u{1B}[0m")
            default: bytes += Array("[\(stamp()) TUYA Err][c.c:3] bytes ".utf8) + [0xFF, 0xFE, 0xC3] + [0x0A]
            }
        }
        let log = scratch.appending("random-\(seed).log")
        try Data(bytes).write(to: URL(fileURLWithPath: log))
        return log
    }

    @Test("random logs read as slices of random sizes give what one reading gives", arguments: 1 ... 8)
    func randomLogsSliced(seed: Int) throws {
        let scratch = try ScratchFolder()
        let log = try Self.randomLog(seed: UInt64(seed), in: scratch)
        var random = SeededGenerator(seed: UInt64(seed) * 7_919)
        var whole = TimelineRequest(inputs: [log], output: scratch.appending("whole.csv"), format: .csv)
        whole.sliceBytes = nil
        var sliced = whole
        sliced.output = scratch.appending("sliced.csv")
        sliced.sliceBytes = Int64.random(in: 97 ... 6_000, using: &random)
        let wholeOutcome = try Timeline.run(whole)
        let slicedOutcome = try Timeline.run(sliced)
        #expect(try Data(contentsOf: URL(fileURLWithPath: sliced.output)) == Data(contentsOf: URL(fileURLWithPath: whole.output)),
                "slices of \(sliced.sliceBytes!) bytes")
        #expect(slicedOutcome.written == wholeOutcome.written && wholeOutcome.written >= 100)
    }

    @Test("every record names its source in full in every format, through intermediate merges: commas, quotes, non-ASCII",
          arguments: [TimelineFormat.csv, .jsonl, .timesketch, .l2tcsv, .sqlite])
    func sourceNames(format: TimelineFormat) throws {
        let scratch = try ScratchFolder()
        var logs: [String: Int] = [:]
        for (folder, count) in [("logs, \"north\" wing é", 300), ("plain", 200)] {
            try FileManager.default.createDirectory(atPath: scratch.appending(folder), withIntermediateDirectories: true)
            let log = scratch.appending("\(folder)/tuya.log")
            // Seconds that go back now and then: every batch begins a run of its own, more than the merge opens at once.
            let lines = (0 ..< count).map { "[07-10 03:\(10 + $0 / 50):\(10 + $0 * 7 % 50) TUYA Debug][mqc_app.c:1043] mqtt heartbeat send \($0)" }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
            logs[log] = count
        }
        var request = TimelineRequest(inputs: Array(logs.keys), output: scratch.appending("t.\(format)"), format: format, memoryBytes: 1024)
        (request.mergeFanIn, request.assumedZone, request.assumedYear) = (2, 0, 2024)
        _ = try Timeline.run(request)
        let read: String
        switch format {
        case .csv, .l2tcsv:
            let column = format == .csv ? "7" : "12"
            read = try Subprocess.run("python3", ["-c", "import csv,sys; [print(r[\(column)]) for r in list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))[1:]]",
                                                  request.output]).output
        case .jsonl, .timesketch:
            read = try Self.lines(request.output).map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["source"] as? String ?? "?"
            }.joined(separator: "\n")
        case .sqlite:
            read = try Subprocess.run("sqlite3", [request.output, "SELECT source FROM events"]).output
        }
        let sources = read.split(separator: "\n").map(String.init)
        #expect(Dictionary(sources.map { ($0, 1) }, uniquingKeysWith: +) == logs)
    }

    @Test("CSV has Timesketch's columns first and reads back with every row")
    func csv() throws {
        let scratch = try ScratchFolder()
        let outcome = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("t.csv"), format: .csv))
        let python = """
            import csv, json, sys
            rows = list(csv.DictReader(open(sys.argv[1], newline="")))
            assert list(rows[0])[:4] == ["datetime", "timestamp", "timestamp_desc", "message"], list(rows[0])
            [json.loads(row["fields"]) for row in rows]
            print(len(rows))
            """
        let result = try Subprocess.run("python3", ["-c", python, scratch.appending("t.csv")])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(outcome.written))
    }

    @Test("LibreOffice (headless convert) reads the CSV back with every row, id, kind and message intact")
    func libreOffice() throws {
        let scratch = try ScratchFolder()
        let outcome = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("t.csv"), format: .csv))
        // Read as UTF-8 with commas and double quotes (44, 34, 76), then written back the same way.
        let filter = "44,34,76,1,,0,false,false,false,false"
        let convert = try Subprocess.run("soffice", [
            "--headless", "--norestore", "-env:UserInstallation=file://\(scratch.appending("profile"))",
            "--infilter=CSV:\(filter)", "--convert-to", "csv:Text - txt - csv (StarCalc):\(filter)",
            "--outdir", scratch.appending("calc"), scratch.appending("t.csv"),
        ])
        #expect(convert.status == 0, "soffice (Debian's libreoffice-calc-nogui, installed by Scripts/bootstrap): \(convert.error)")
        let python = """
            import csv, sys
            ours = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
            calc = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
            assert len(ours) == len(calc), (len(ours), len(calc))
            for a, b in zip(ours, calc):
                assert (a["id"], a["kind"], a["message"], a["datetime"]) == (b["id"], b["kind"], b["message"], b["datetime"]), (a, b)
            print(len(calc))
            """
        let result = try Subprocess.run("python3", ["-c", python, scratch.appending("t.csv"), scratch.appending("calc/t.csv")])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(outcome.written))
    }

    @Test("Timesketch JSONL carries message, datetime, timestamp and timestamp_desc on every line; untimed events are counted out")
    func timesketch() throws {
        let scratch = try ScratchFolder()
        let outcome = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("t.jsonl"), format: .timesketch))
        #expect(outcome.leftOut == outcome.withoutTime)
        #expect(outcome.leftOut > 0)
        for line in try Self.lines(scratch.appending("t.jsonl")).prefix(2000) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["message"] is String && object["datetime"] is String && object["timestamp"] is NSNumber
                && object["timestamp_desc"] is String)
        }
    }

    @Test("l2tcsv has plaso's 17 columns on every row")
    func l2tcsv() throws {
        let scratch = try ScratchFolder()
        _ = try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("t.l2t.csv"), format: .l2tcsv))
        let result = try Subprocess.run("python3", ["-c", "import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=''))); print(set(map(len, rows)))",
                                                    scratch.appending("t.l2t.csv")])
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "{17}")
    }

    @Test("l2tcsv's short column is the message's first 80 characters, however the bytes fall", arguments: [
        "short", String(repeating: "a", count: 80), String(repeating: "a", count: 81), String(repeating: "a", count: 200),
        String(repeating: "a", count: 79) + "\r\nmore", String(repeating: "a", count: 78) + "\r\n" + String(repeating: "b", count: 9),
        String(repeating: "a", count: 80) + "e\u{301}tc", String(repeating: "a", count: 79) + "e\u{301}" + String(repeating: "c", count: 9),
        String(repeating: "é", count: 90), String(repeating: "😀", count: 81), String(repeating: "🇫🇷", count: 50),
        String(repeating: "\"q\",", count: 30),
    ])
    func l2tShortColumn(_ message: String) {
        var written = ByteBuffer()
        TimelineFormat.appendShortMessage(message, to: &written)
        var expected = ByteBuffer()
        EventBytes.appendCSVField(String(message.prefix(80)), to: &expected)
        #expect(written.array == expected.array)
    }

    @Test("the format follows the output's name, a compression suffix aside", arguments: [
        ("t.csv", TimelineFormat.csv), ("t.jsonl", .jsonl), ("T.JSON", .jsonl), ("t.timesketch.jsonl", .timesketch), ("t.l2t.csv", .l2tcsv),
        ("t.l2tcsv.gz", .l2tcsv), ("t.sqlite.zst", .sqlite), ("t.db", .sqlite), ("t.jsonl.zst", .jsonl), ("t.txt", .csv),
    ])
    func formatFromName(_ name: String, _ format: TimelineFormat) {
        #expect(TimelineFormat.guess(fromPath: "/evidence/" + name) == format)
    }

    @Test("an existing output is refused without --force")
    func existingOutput() throws {
        let scratch = try ScratchFolder()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: scratch.appending("t.csv")))
        #expect(throws: InputError.self) {
            try Timeline.run(TimelineRequest(inputs: Self.inputs, output: scratch.appending("t.csv"), format: .csv))
        }
        #expect(try String(contentsOfFile: scratch.appending("t.csv"), encoding: .utf8) == "keep")
    }

    @Test("an output that is a folder, or in a folder that is not there, is refused before any input is read",
          arguments: [false, true])
    func unwritableOutputRefusedFirst(force: Bool) throws {
        let scratch = try ScratchFolder()
        try FileManager.default.createDirectory(atPath: scratch.appending("folder"), withIntermediateDirectories: false)
        for (output, reason) in [(scratch.appending("folder"), "it is a folder"), (scratch.appending("missing/t.csv"), "there is no folder")] {
            let read = Locked(false)
            let error = #expect(throws: InputError.self) {
                try Timeline.run(TimelineRequest(inputs: Self.inputs, output: output, format: .csv, overwrite: force)) { _ in
                    read.withLock { $0 = true }
                }
            }
            #expect(error?.explanation.contains(reason) == true, "\(String(describing: error))")
            #expect(!read.withLock { $0 })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.appending("folder")).isEmpty)
    }

    @Test("when no input gives an event and some fail, no timeline is written: a header alone would look like empty evidence")
    func nothingReadWritesNothing() throws {
        let scratch = try ScratchFolder()
        let output = scratch.appending("t.csv")
        let outcome = try Timeline.run(TimelineRequest(inputs: [scratch.appending("no-such.log")], output: output, format: .csv))
        #expect(!outcome.isWritten && outcome.exitStatus == 2)
        #expect(outcome.diagnostics.all.contains { $0.description.contains("not written: no input gave an event") })
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        // An empty log is read without fault: its timeline is a header, and it is written.
        try Data().write(to: URL(fileURLWithPath: scratch.appending("empty.log")))
        let empty = try Timeline.run(TimelineRequest(inputs: [scratch.appending("empty.log")], output: output, format: .csv))
        #expect(empty.isWritten && empty.written == 0 && empty.exitStatus == 0)
        #expect(try String(contentsOfFile: output, encoding: .utf8).hasPrefix("datetime,timestamp,"))
    }
}

@Suite("timeline as SQLite")
struct SQLiteTimelineTests {
    @Test("the SQLite file answers sqlite3 with every event, its fields and its indexes")
    func sqlite3Reads() throws {
        let scratch = try ScratchFolder()
        let outcome = try Timeline.run(TimelineRequest(inputs: TimelineTests.inputs, output: scratch.appending("t.sqlite"), format: .sqlite))
        let query = """
            SELECT count(*) FROM events;
            SELECT count(*) FROM events WHERE kind = 'tuya.post_url' AND link IS NOT NULL;
            SELECT count(*) FROM fields WHERE key = 'sni' AND value = 'a2.tuyaeu.com';
            SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name;
            """
        let result = try Subprocess.run("sqlite3", [scratch.appending("t.sqlite"), query])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == String(outcome.written))
        #expect(lines[1] == "5")
        #expect(Int(lines[2]) ?? 0 >= 5)
        #expect(Array(lines.suffix(4)) == ["events_kind", "events_time", "fields_event", "fields_key_value"])
        #expect(!scratch.tree().contains { $0.contains("partial") })
    }
}
