import Foundation
import Testing

/// Runs the built `firmtrace` binary the way a user does and checks what it prints and returns.
@Suite("firmtrace command line")
struct CommandLineTests {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The test bundle is built beside the tool.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("firmtrace")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return projectRoot.appendingPathComponent(".build/debug/firmtrace").path
    }

    struct Result {
        let status: Int32, output: String, error: String
    }

    /// Runs firmtrace, or `executable` (a shell that runs it) with these arguments.
    static func run(_ arguments: [String], executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("firmtrace-cli-\(UUID().uuidString)").path
    }

    /// A new empty folder, for a run to write into.
    static func createdTemporaryFolder() throws -> String {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("--help lists every subcommand with its purpose, and only built ones")
    func help() throws {
        let result = try Self.run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("unpack                  Safely unpack device log bundles"))
        #expect(result.output.contains("grep                    Search firmware logs by meaning"))
        #expect(result.output.contains("filter                  Select packets with a Wireshark display filter"))
        #expect(result.output.contains("timeline                Merge every event of logs and captures"))
        #expect(result.output.contains("correlate               Put each log's clock on the capture's"))
        #expect(result.output.contains("clock                   Show each log source's clock"))
        #expect(result.output.contains("report                  Find the device's behaviour"))
        #expect(result.output.contains("diff                    Compare two sets of evidence"))
    }

    @Test("--version prints the version")
    func version() throws {
        let result = try Self.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output == "0.1.0\n")
    }

    @Test("unpack --help shows a real example")
    func unpackHelp() throws {
        let result = try Self.run(["unpack", "--help"])
        #expect(result.output.contains("firmtrace unpack 000123.20220709205150123_R1234567890_v01.15.58.tar.gz -o"))
        #expect(result.output.contains("--max-bytes <size>"))
    }

    @Test("unpack of a sample exits 0, says where the manifest is, and prints no progress when piped")
    func unpackSample() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = Self.projectRoot.appendingPathComponent(
            "Samples/v01.15.58/000137.20220710033500000_R0018S91200123_v01.15.58.tar.gz").path
        let result = try Self.run(["unpack", bundle, "-o", folder])
        #expect(result.status == 0)
        #expect(result.output.contains("unpacked 5 files"))
        #expect(result.output.contains("manifest: \(folder)/manifest.csv"))
        #expect(result.error.isEmpty)
    }

    @Test("a bad input gives one message naming it, the good input still unpacks, and exit code 2")
    func badInputExitsTwo() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bundle = Self.projectRoot.appendingPathComponent(
            "Samples/v02.29.02/000412.20220911033500000_R0018S91200123_v02.29.02.tar.zst").path
        let result = try Self.run(["unpack", "/nonexistent/bundle.tar.gz", bundle, "-o", folder])
        #expect(result.status == 2)
        #expect(result.error.contains("firmtrace: /nonexistent/bundle.tar.gz: error: cannot read: No such file or directory"))
        #expect(result.output.contains("unpacked 5 files"))
    }

    @Test("--tz takes an offset as people write it, UTC and Z for none; anything else exits 64 naming it",
          arguments: [("+10:00", 36_000), ("-0330", -12_600), ("UTC+10", 36_000), ("+5:45", 20_700), ("UTC", 0), ("Z", 0), ("z", 0),
                      ("+15:00", nil), ("+10:60", nil), ("+-5:00", nil), ("+1O:00", nil), ("10:00", nil), ("+99999999999999999999", nil)]
            as [(String, Int?)])
    func zoneOption(zone: String, seconds: Int?) throws {
        let folder = try Self.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/tuya.log"
        try Data("[07-09 20:51:49 TUYA Debug][mqc_app.c:1412] mqtt heartbeat send\n".utf8).write(to: URL(fileURLWithPath: log))
        let result = try Self.run(["clock", log, "--tz=\(zone)", "--year", "2022", "--json"])
        if let seconds {
            #expect(result.status == 0)
            #expect(result.output.contains("\"tz_offset_s\":\(seconds),"))
        } else {
            #expect(result.status == 64)
            #expect(result.error.contains("--tz: '\(zone)' is not an offset like +10:00"))
        }
    }

    @Test("a wrong command line exits 64 with usage")
    func usageError() throws {
        let result = try Self.run(["unpack", "x.tar.gz"])
        #expect(result.status == 64)
        #expect(result.error.contains("Missing expected argument '--output <dir>'"))
    }
}

@Suite("firmtrace report and diff command lines")
struct ReportCommandLineTests {
    static func sample(_ version: String) -> [String] {
        let folder = CommandLineTests.projectRoot.appendingPathComponent("Samples/\(version)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".tar.gz") || $0.hasSuffix(".pcapng.gz") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    @Test("report -o writes the page, prints the summary with the periods and the 3 am peak, and says where the page is")
    func report() throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let page = folder + "/report.html"
        let result = try CommandLineTests.run(["report"] + Self.sample("v01.15.58") + ["-o", page])
        #expect(result.status == 0)
        #expect(result.output.contains("every 5 s "))
        #expect(result.output.contains("HTTP GET /gslb"))
        #expect(result.output.contains("2022-07-10 03:00:00 – 03:0"))
        #expect(result.output.contains("device traffic (from 10.10.10.8) with no log line: 7506 (most: 7002× DNS query xx.ot.io.mi.com); 17 more sent while no log was written"))
        #expect(result.output.hasSuffix("report written to \(page)\n"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<p>Not listed: 17 more sent while no log was written.</p>"))
        #expect(html.contains("id=\"report-end\""))
        let again = try CommandLineTests.run(["report"] + Self.sample("v01.15.58") + ["-o", page])
        #expect(again.status == 2)
        #expect(again.error.contains("already exists") && again.output.isEmpty)
        let intoFolder = try CommandLineTests.run(["report"] + Self.sample("v01.15.58") + ["-o", folder, "--force"])
        #expect(intoFolder.status == 2 && intoFolder.output.isEmpty)
        #expect(intoFolder.error == "firmtrace: \(folder): cannot write: it is a folder; give the name of a file to write\n")
    }

    @Test("report --json is the same from one run to the next: ties are not left to a dictionary's order, which each process seeds anew")
    func reportIsReproducible() throws {
        let runs = try (0 ..< 4).map { _ in try CommandLineTests.run(["report"] + Self.sample("v01.15.58") + ["--json"]) }
        #expect(runs.allSatisfy { $0.status == 0 })
        #expect(Set(runs.map(\.output)).count == 1)
    }

    @Test("report without -o or --json is a usage error")
    func reportNeedsOutput() throws {
        let result = try CommandLineTests.run(["report", "x.log"])
        #expect(result.status == 64)
    }

    @Test("diff --json lists added, removed and changed between the two profiles")
    func diff() throws {
        let result = try CommandLineTests.run(["diff"] + Self.sample("v01.15.58") + ["--"] + Self.sample("v02.29.02") + ["--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let removed = try #require(object["removed"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(removed.contains("process:miio_client"))
        let changed = try #require(object["changed"] as? [[String: Any]])
        #expect(changed.contains { $0["change"] as? String == "replaced" && ($0["detail"] as? String ?? "").contains("m2.tuyaeu.com") })
    }

    @Test("diff --help and report --help show a real example")
    func helps() throws {
        let diff = try CommandLineTests.run(["diff", "--help"])
        #expect(diff.status == 0)
        #expect(diff.output.contains("firmtrace diff Samples/v01.15.58/"))
        let report = try CommandLineTests.run(["report", "--help"])
        #expect(report.status == 0)
        #expect(report.output.contains("firmtrace report Samples/v01.15.58/ -o report.html"))
    }

    @Test("diff without -- is a usage error saying how to split the inputs")
    func diffNeedsSeparator() throws {
        let result = try CommandLineTests.run(["diff", "a.log", "b.log"])
        #expect(result.status == 64)
        #expect(result.error.contains("then --"))
    }
}

@Suite("firmtrace grep command line")
struct GrepCommandLineTests {
    static let bundle = CommandLineTests.projectRoot.appendingPathComponent(
        "Samples/v01.15.58/000137.20220710033500000_R0018S91200123_v01.15.58.tar.gz").path

    @Test("--count prints the number of matching events and exits 0")
    func count() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.post_url", "--count"])
        #expect(result.status == 0)
        #expect(result.output == "5\n")
    }

    @Test("nothing matching exits 1, like grep")
    func noMatch() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.post_url", "--where", "host == nowhere.example", "--count"])
        #expect(result.status == 1)
        #expect(result.output == "0\n")
    }

    @Test("an unreadable input exits 2 with a message naming it, after the matches")
    func unreadable() throws {
        let result = try CommandLineTests.run(["grep", "/nonexistent/tuya.log", Self.bundle, "--kind", "tuya.post_url", "--count"])
        #expect(result.status == 2)
        #expect(result.output == "5\n")
        #expect(result.error.contains("firmtrace: /nonexistent/tuya.log: error: cannot read"))
    }

    @Test("--json writes one JSON object per line with the design's names")
    func json() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.post_url", "--json"])
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 5)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["kind"] as? String == "tuya.post_url")
            #expect(object["time"] is NSNumber)
            #expect(object["time_basis"] as? String == "log_epoch")
            #expect((object["fields"] as? [String: Any])?["host"] as? String == "a2.tuyaeu.com")
            #expect(object["source"] as? String != nil && object["line"] is NSNumber && object["device_time"] is String)
        }
    }

    @Test("--csv writes a header and one row per event")
    func csv() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.connect", "--csv"])
        let rows = result.output.split(separator: "\r\n")
        #expect(rows.first == "datetime,timestamp,timestamp_desc,message,kind,origin,source,line,device_time,time_basis,fields")
        #expect(rows.count == 11)
    }

    @Test("-e prints the chosen fields tab-separated, like tshark -T fields")
    func fields() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.post_url", "-e", "frame", "-e", "api", "--field", "line", "-e", "kind"])
        #expect(result.status == 0)
        let rows = result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(rows.count == 5)
        #expect(rows.first == "\ttuya.device.timer.count\t23\ttuya.post_url")
        let both = try CommandLineTests.run(["grep", Self.bundle, "--json", "-e", "api"])
        #expect(both.status == 64)
    }

    @Test("human lines show time, kind, origin, source:line and the message")
    func human() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.post_url", "--where", "api contains upgrade"])
        let first = try #require(result.output.split(separator: "\n").first)
        #expect(first.hasPrefix("2022-07-09T16:32:14Z     tuya.post_url      rriot_tuya  "))
        #expect(first.contains("rrlog/tuya.log.1:36  Post URL: https://a2.tuyaeu.com/d.json?a=tuya.device.upgrade.silent.get"))
    }

    @Test("a bad --where is a usage error naming the column")
    func badExpression() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--where", "host == "])
        #expect(result.status == 64)
        #expect(result.error.contains("--where: filter, column 9: expected a value, found the end of the filter"))
    }

    @Test("a --kind that names no kind is a usage error listing the kinds")
    func badKind() throws {
        let result = try CommandLineTests.run(["grep", Self.bundle, "--kind", "tuya.nothing"])
        #expect(result.status == 64)
        #expect(result.error.contains("tuya.post_url"))
    }
}

@Suite("an interrupted run")
struct InterruptTests {
    @Test("Ctrl-C while a timeline is being written removes its partial file and the run dies of the signal",
          arguments: ["timeline.csv.zst", "timeline.sqlite"])
    func interruptedTimeline(_ name: String) throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Large enough that the debug build takes over a second to write it (0.4 s with 200,000 lines: on a
        // busy machine the test could look too late and find the run over), so the signal lands while it writes.
        let lines = (0 ..< 600_000).map { index in
            let second = index / 10
            return "[07-10 " + String(format: "%02d:%02d:%02d", second / 3600 % 24, second / 60 % 60, second % 60)
                + " TUYA Debug][mqc_app.c:1158] mqtt subscribe topic:smart/device/in/\(index)"
        }
        let log = folder + "/tuya.log"
        try Data(("[07-10 00:00:00 TUYA Notice][tuya_time.c:102] time sync success, zone +10:00, utc 1657375200\n"
            + lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: log))
        let output = folder + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try Self.interrupt(["timeline", log, "-o", output + "/" + name], whileWritingInto: output)
        // The timeline is written at the end of the run: should the run finish before the signal lands, the
        // timeline is whole.
        for left in try FileManager.default.contentsOfDirectory(atPath: output) {
            #expect(left == name, "\(left) was left behind")
            let rows = name.hasSuffix(".zst") ? "zstd -dc '\(output)/\(left)' | wc -l" : "sqlite3 '\(output)/\(left)' 'SELECT count(*) FROM events'"
            #expect(try Self.shell(rows) == "\(name.hasSuffix(".zst") ? lines.count + 2 : lines.count + 1)\n", "\(left) is not whole")
        }
    }

    @Test("Ctrl-C while unpack writes a member removes the member's partial file")
    func interruptedUnpack() throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 400 MB in 2.5 MB: the member takes a while to write whatever the build. (Not zeros: they read as an
        // empty tar.)
        let compress = try Process.run(URL(fileURLWithPath: "/bin/sh"),
                                       arguments: ["-c", "yes 'a line of the member' | head -c 400000000 | gzip -1 > '\(folder)/member.txt.gz'"])
        compress.waitUntilExit()
        #expect(compress.terminationStatus == 0)
        let output = folder + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try Self.interrupt(["unpack", folder + "/member.txt.gz", "-o", output, "--max-ratio", "10000"], whileWritingInto: output)
        // On a busy machine the member can be finished before the signal lands: then it is whole.
        for name in try FileManager.default.contentsOfDirectory(atPath: output) {
            let size = try FileManager.default.attributesOfItem(atPath: output + "/" + name)[.size] as? Int
            #expect(name == "member.txt" && size == 400_000_000, "\(name) was left behind")
        }
    }

    @Test("past a file size limit (ulimit -f) a timeline ends like on a full disk: exit 2, a message, no partial file",
          arguments: [("timeline.sqlite", 20_000), ("timeline.csv", 5_000)])
    func fileSizeLimit(_ name: String, kilobytes: Int) throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sample = CommandLineTests.projectRoot.appendingPathComponent("Samples/v01.15.58").path
        // The sample's SQLite timeline is 30 MB (its scratch records 12 MB), its CSV 12 MB.
        let result = try CommandLineTests.run(["-c", "ulimit -f \(kilobytes); exec \"$0\" \"$@\"", CommandLineTests.binary,
                                               "timeline", sample, "-o", folder + "/" + name], executable: "/bin/sh")
        #expect(result.status == 2)
        #expect(result.error.contains(name + ": cannot write"), "\(result.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test("a timeline that cannot write its scratch files while an archive still waits to be read ends with the message, never waits for it")
    func failureBeforeAnArchiveIsRead() throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sample = CommandLineTests.projectRoot.appendingPathComponent("Samples/v01.15.58").path
        // Two captures larger than the bundle: both threads read one, fail, and the bundle is never begun.
        _ = try Self.shell("zcat '\(sample)'/capture-*.pcapng.gz > '\(folder)/a.pcapng' && cp '\(folder)/a.pcapng' '\(folder)/b.pcapng'")
        let bundle = try #require(try FileManager.default.contentsOfDirectory(atPath: sample).first { $0.hasSuffix(".tar.gz") })
        let result = try CommandLineTests.run(["-c", "ulimit -f 200; exec timeout 60 \"$0\" \"$@\"", CommandLineTests.binary, "timeline",
                                               folder + "/a.pcapng", folder + "/b.pcapng", sample + "/" + bundle, "-o", folder + "/out.csv"],
                                              executable: "/bin/sh")
        #expect(result.status == 2, "\(result.error)")
        #expect(result.error.contains("out.csv: cannot write"), "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.csv"))
    }

    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs firmtrace with `arguments`, sends SIGINT once a partial file shows in `folder`, and expects the
    /// run to die of it.
    static func interrupt(_ arguments: [String], whileWritingInto folder: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var sawPartial = false
        // Until the partial file appears, however slow the build (a sanitizer's is ten times slower).
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline {
            if try FileManager.default.contentsOfDirectory(atPath: folder).contains(where: { $0.contains(".firmtrace-") }) {
                sawPartial = true
                break
            }
            usleep(5000)
        }
        process.interrupt()
        process.waitUntilExit()
        #expect(sawPartial, "the run was interrupted while it wrote")
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
    }
}

@Suite("output to standard output")
struct StandardOutputTests {
    /// Runs firmtrace in `folder` as its working folder.
    static func run(_ arguments: [String], in folder: String) throws -> CommandLineTests.Result {
        try CommandLineTests.run(["-c", "cd \"$1\" && shift && exec \"$0\" \"$@\"", CommandLineTests.binary, folder] + arguments,
                                 executable: "/bin/sh")
    }

    @Test("-o - writes a timeline to standard output and its summary to standard error, leaving no file behind",
          arguments: ["jsonl", "sqlite"])
    func timelineToStandardOutput(_ format: String) throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sample = CommandLineTests.projectRoot.appendingPathComponent("Samples/v02.29.02").path
        let result = try Self.run(["timeline", sample, "-o", "-", "--format", format], in: folder)
        #expect(result.status == 0, "\(result.error)")
        let summary = try #require(result.error.split(separator: "\n").last { $0.contains(" events written to standard output") })
        if format == "jsonl" {
            let lines = result.output.split(separator: "\n")
            #expect(summary.hasPrefix("\(lines.count) events written to standard output"), "\(summary)")
            #expect(lines.allSatisfy { $0.hasPrefix("{\"time\":") || $0.hasPrefix("{\"time_basis\":") })
        } else {
            #expect(result.output.hasPrefix("SQLite format 3"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "no file named - and no scratch file")
    }

    @Test("--kind and --since select what a timeline writes, and its summary says how many of the events read were not selected")
    func timelineSelection() throws {
        let sample = CommandLineTests.projectRoot.appendingPathComponent("Samples/v02.29.02").path
        let result = try CommandLineTests.run(["timeline", sample, "-o", "-", "--format", "jsonl", "--kind", "net.dns_*",
                                               "--since", "2000-01-01"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(#""kind":"net.dns_"#) })
        let summary = try #require(result.error.split(separator: "\n").last { $0.contains(" events written to standard output") })
        #expect(summary.hasPrefix("\(lines.count) events written to standard output"), "\(summary)")
        #expect(summary.contains(" read not selected"), "\(summary)")
        let wrong = try CommandLineTests.run(["timeline", sample, "-o", "-", "--since", "yesterday"])
        #expect(wrong.status == 64 && wrong.error.contains("--since: 'yesterday'"), "\(wrong.error)")
        let backwards = try CommandLineTests.run(["timeline", sample, "-o", "-", "--since", "2022-07-10", "--until", "2022-07-09"])
        #expect(backwards.status == 64 && backwards.error.contains("is not before --until"), "\(backwards.error)")
        let late = try CommandLineTests.run(["timeline", sample, "-o", "-", "--where", #"finding == "claim_without_packet""#])
        #expect(late.status == 64 && late.error.contains("use --findings"), "\(late.error)")
    }

    @Test("correlate -o --findings writes the findings alone, as timeline --findings does; a selection without -o is a usage error")
    func correlateFindings() throws {
        let sample = CommandLineTests.projectRoot.appendingPathComponent("Samples/v02.29.02").path
        let correlated = try CommandLineTests.run(["correlate", "--logs", sample, "--capture", sample, "-o", "-", "--format", "jsonl", "--findings"])
        #expect(correlated.status == 0, "\(correlated.error)")
        let timeline = try CommandLineTests.run(["timeline", sample, "-o", "-", "--format", "jsonl", "--findings"])
        let lines = correlated.output.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(#""finding":""#) })
        #expect(correlated.output == timeline.output)
        #expect(correlated.error.contains("\(lines.count) events written to the linked timeline; "), "\(correlated.error)")
        let withoutOutput = try CommandLineTests.run(["correlate", "--logs", sample, "--capture", sample, "--findings"])
        #expect(withoutOutput.status == 64 && withoutOutput.error.contains("give -o"), "\(withoutOutput.error)")
    }

    @Test("binary output to standard output is refused while that is a terminal, before any work: exit 64",
          arguments: [["filter", "Samples/v02.29.02", "-Y", "dns", "-w", "-"], ["timeline", "Samples/v02.29.02", "-o", "-", "--format", "sqlite"]])
    func binaryRefusedOnTerminal(_ arguments: [String]) throws {
        // `script` gives the run a terminal of its own, as a user typing the command has.
        let command = ([CommandLineTests.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = try CommandLineTests.run(["-c", "cd '\(CommandLineTests.projectRoot.path)' && exec script -qec \"$0\" /dev/null", command],
                                              executable: "/bin/sh")
        #expect(result.status == 64)
        #expect(result.output.contains(" is not written to a terminal: "), "\(result.output)")
    }

    @Test("a reader that closes standard output early (| head) stops the run quietly with exit 0, as grep stops",
          arguments: [["timeline", "Samples/v02.29.02", "-o", "-"], ["filter", "Samples/v02.29.02", "-w", "-"]])
    func readerClosedEarly(_ arguments: [String]) throws {
        let command = ([CommandLineTests.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let script = "cd '\(CommandLineTests.projectRoot.path)' && \(command) | head -c 100 > /dev/null; echo \"status ${PIPESTATUS[0]}\""
        let result = try CommandLineTests.run(["-c", script], executable: "/bin/bash")
        #expect(result.output == "status 0\n")
        #expect(!result.error.contains("standard output"), "\(result.error)")
    }

    @Test("-w - writes the selected packets to standard output as pcapng, the count to standard error")
    func filterToStandardOutput() throws {
        let folder = try CommandLineTests.createdTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let capture = CommandLineTests.projectRoot.appendingPathComponent("Samples/v02.29.02").path
        let result = try Self.run(["filter", capture, "-Y", "dns", "-w", "-"], in: folder)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("\n\r\r\n"), "a pcapng section header first")
        #expect(result.error.contains(" packets written to standard output"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }
}
