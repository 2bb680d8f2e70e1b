import Foundation
import Testing
@testable import FirmTraceKit

/// Archives built to attack the extractor. Each must give a clear error, write nothing outside the
/// output folder, leave no partial file, and let the rest of the archive unpack.
@Suite("unpack on hostile archives")
struct HostileArchiveTests {
    /// The output folder is `out/`; `outside/` beside it must stay empty whatever the archive says.
    struct Arena {
        let scratch: ScratchFolder
        var output: String { scratch.appending("out") }
        var outside: String { scratch.appending("outside") }

        init() throws {
            scratch = try ScratchFolder()
            _ = try makeFolder(scratch.appending("outside"))
        }

        func unpack(_ entries: [TestArchive.Entry], as format: TestArchive.Format = .tarGzip,
                    limits: UnpackLimits = UnpackLimits(), overwrite: Bool = false) throws -> UnpackOutcome {
            let archive = scratch.appending("hostile.archive")
            try TestArchive.write(entries, as: format, to: archive)
            return try Unpack.run(UnpackRequest(archives: [archive], outputDirectory: output, limits: limits,
                                                overwrite: overwrite))
        }

        func expectContained(_ outcome: UnpackOutcome, refusing reason: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(outcome.exitStatus == 2, sourceLocation: sourceLocation)
            let messages = outcome.diagnostics.all.filter { $0.severity == .error }.map(\.description)
            #expect(messages.contains { $0.contains(reason) }, "no error says '\(reason)': \(messages)",
                    sourceLocation: sourceLocation)
            #expect(scratch.tree("outside").isEmpty, "something was written outside the output folder",
                    sourceLocation: sourceLocation)
            #expect(!scratch.tree("out").contains { $0.contains(".firmtrace-partial") }, "a partial file was left",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("a '../' path is refused and the members after it still unpack")
    func dotDotPath() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.file("../outside/evil.txt", Array("owned".utf8)),
                                        .file("rrlog/good.txt", Array("fine".utf8))])
        arena.expectContained(outcome, refusing: "path contains '..'")
        #expect(try String(contentsOfFile: arena.output + "/rrlog/good.txt", encoding: .utf8) == "fine")
        #expect(outcome.diagnostics.all.contains { $0.location.source.hasSuffix("!../outside/evil.txt") })
    }

    @Test("an absolute path is refused")
    func absolutePath() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.file(arena.outside + "/absolute.txt", Array("owned".utf8))])
        arena.expectContained(outcome, refusing: "absolute path")
    }

    @Test("a symlink out of the folder is refused, so a file meant to go through it lands inside")
    func symlinkOutThenFileThroughIt() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.symlink("escape", target: "../outside"),
                                        .file("escape/pwned.txt", Array("owned".utf8))])
        arena.expectContained(outcome, refusing: "symlink to a place outside the output folder")
        #expect(try FileManager.default.attributesOfItem(atPath: arena.output + "/escape")[.type] as? FileAttributeType == .typeDirectory)
        #expect(FileManager.default.fileExists(atPath: arena.output + "/escape/pwned.txt"))
    }

    @Test("an absolute symlink is refused")
    func absoluteSymlink() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.symlink("passwd", target: "/etc/passwd")])
        arena.expectContained(outcome, refusing: "symlink to an absolute path")
    }

    @Test("a symlink that stays inside is created, but never followed by a later member")
    func writingThroughAnInsideSymlink() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.directory("logs/"), .symlink("current", target: "logs"),
                                        .file("current/tuya.log", Array("x".utf8))])
        arena.expectContained(outcome, refusing: "'current' on its path is a symlink or a file, and is never followed")
        let destination = try FileManager.default.destinationOfSymbolicLink(atPath: arena.output + "/current")
        #expect(destination == "logs")
        #expect(!FileManager.default.fileExists(atPath: arena.output + "/logs/tuya.log"))
    }

    @Test("a symlink that climbs through another symlink ('a -> .', 'b -> a/..') is refused")
    func symlinkChainClimb() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.symlink("a", target: "."), .symlink("b", target: "a/..")])
        arena.expectContained(outcome, refusing: "climbs with '..' after a folder name")
    }

    @Test("a hard link to a file outside the folder is refused", arguments: ["../outside/secret", "/etc/passwd"])
    func hardLinkOutside(_ target: String) throws {
        let arena = try Arena()
        _ = FileManager.default.createFile(atPath: arena.outside + "/secret", contents: Data("secret".utf8))
        let outcome = try arena.unpack([.hardLink("stolen", target: target)], as: .tar)
        #expect(outcome.exitStatus == 2)
        #expect(outcome.diagnostics.all.contains { $0.description.contains("hard link target") })
        #expect(!FileManager.default.fileExists(atPath: arena.output + "/stolen"))
        #expect(try String(contentsOfFile: arena.outside + "/secret", encoding: .utf8) == "secret")
    }

    @Test("a hard link to a file the archive wrote is created, with the same hash in the manifest")
    func hardLinkInside() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.file("a.txt", Array("same".utf8)), .hardLink("b.txt", target: "a.txt")], as: .tar)
        #expect(outcome.exitStatus == 0)
        #expect(outcome.rows.map(\.type) == [.file, .hardlink])
        #expect(outcome.rows[0].sha256 == outcome.rows[1].sha256)
        #expect(try String(contentsOfFile: arena.output + "/b.txt", encoding: .utf8) == "same")
    }

    @Test("a hard link to something the archive did not write is refused")
    func hardLinkToUnknownMember() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.hardLink("b.txt", target: "never-written.txt")], as: .tar)
        arena.expectContained(outcome, refusing: "which is not a file this archive wrote")
    }

    @Test("device and fifo entries are refused")
    func specialFiles() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.special("dev/mem", fileType: TestArchive.characterDevice),
                                        .special("pipe", fileType: TestArchive.fifo)])
        arena.expectContained(outcome, refusing: "character device entries are never created")
        arena.expectContained(outcome, refusing: "named pipe (fifo) entries are never created")
    }

    @Test("a tiny archive that expands to gigabytes stops early, leaving no partial file")
    func decompressionBomb() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.zeros("zeros.bin", size: 3 << 30), .file("after.txt", Array("x".utf8))],
                                       as: .tarZstd)
        let archiveSize = try FileManager.default.attributesOfItem(atPath: arena.scratch.appending("hostile.archive"))[.size] as? Int
        #expect((archiveSize ?? .max) < 1 << 20, "the bomb should be small")
        arena.expectContained(outcome, refusing: "decompression bomb")
        #expect(outcome.bytesWritten < 80 << 20, "stopped after \(outcome.bytesWritten) bytes")
        #expect(!FileManager.default.fileExists(atPath: arena.output + "/zeros.bin"))
        #expect(!FileManager.default.fileExists(atPath: arena.output + "/after.txt"), "a bomb ends its archive")
    }

    @Test("an uncompressed tar past the ratio's grace is not mistaken for a bomb")
    func largePlainTarIsNotABomb() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.zeros("disk.img", size: 80 << 20)], as: .tar)
        #expect(outcome.exitStatus == 0, "\(outcome.diagnostics.all)")
        #expect(outcome.rows.first?.size == 80 << 20)
    }

    /// `level0.tar` holding `level1.tar` holding … `levelN.tar` holding a log: what a self-containing
    /// archive looks like to a reader, cut off at `levels`.
    static func nested(_ levels: Int, in scratch: ScratchFolder) throws -> String {
        var inner: [UInt8] = Array("[07-09 20:51:49:123 TUYA Debug][x.c:1] innermost\n".utf8)
        var name = "tuya.log"
        for level in stride(from: levels, through: 0, by: -1) {
            let path = scratch.appending("level\(level).tar")
            try TestArchive.write([.file(name, inner)], as: .tar, to: path)
            inner = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            name = "level\(level).tar"
        }
        return scratch.appending("level0.tar")
    }

    @Test("archives nested past the limit (a self-containing archive) stop with one message, and unpack what came before")
    func nestingLimit() throws {
        let arena = try Arena()
        let archive = try Self.nested(6, in: arena.scratch)
        var limits = UnpackLimits()
        limits.maxNesting = 3
        let outcome = try Unpack.run(UnpackRequest(archives: [archive], outputDirectory: arena.output, limits: limits))
        arena.expectContained(outcome, refusing: "nested more than 3 deep")
        #expect(outcome.rows.contains { $0.path.hasSuffix("level3.tar") })
        #expect(!outcome.rows.contains { $0.path.hasSuffix("tuya.log") })
    }

    @Test("grep reads archives nested up to its limit in place and names the one past it")
    func grepNestingLimit() throws {
        let scratch = try ScratchFolder()
        let shallow = try Self.nested(InputWalker.maxNesting - 2, in: scratch)
        #expect(Grep.run(GrepRequest(inputs: [shallow], countOnly: true), sink: nil).matched == 1)
        let deep = try Self.nested(InputWalker.maxNesting + 2, in: scratch)
        let outcome = Grep.run(GrepRequest(inputs: [deep], countOnly: true), sink: nil)
        #expect(outcome.matched == 0)
        #expect(outcome.diagnostics.all.filter { $0.description.contains("nested more than \(InputWalker.maxNesting) deep") }.count == 1)
    }

    @Test("the total byte limit stops the run with a message naming the flag")
    func totalByteLimit() throws {
        let arena = try Arena()
        var limits = UnpackLimits()
        limits.maxTotalBytes = 1000
        let outcome = try arena.unpack([.file("a.log", Array(repeating: 65, count: 800)),
                                        .file("b.log", Array(repeating: 66, count: 800))], limits: limits)
        arena.expectContained(outcome, refusing: "--max-bytes")
        #expect(outcome.rows.map(\.path) == ["a.log"])
    }

    @Test("the file count limit stops the run with a message naming the flag")
    func fileCountLimit() throws {
        let arena = try Arena()
        var limits = UnpackLimits()
        limits.maxFiles = 2
        let outcome = try arena.unpack((1 ... 5).map { .file("f\($0)", [1]) }, limits: limits)
        arena.expectContained(outcome, refusing: "--max-files")
        #expect(outcome.rows.count == 2)
    }

    @Test("a truncated gzip gives every complete member, one clear error, and no partial file")
    func truncatedGzip() throws {
        let arena = try Arena()
        let members: [TestArchive.Entry] = (1 ... 40).map { index in
            var generator = SystemRandomNumberGenerator()
            return .file("log\(index).txt", (0 ..< 4096).map { _ in UInt8.random(in: 0 ... 255, using: &generator) })
        }
        let whole = arena.scratch.appending("whole.tar.gz")
        try TestArchive.write(members, as: .tarGzip, to: whole)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = arena.scratch.appending("cut.tar.gz")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))

        let outcome = try Unpack.run(UnpackRequest(archives: [cut], outputDirectory: arena.output))
        arena.expectContained(outcome, refusing: "damaged or truncated archive")
        #expect(outcome.rows.count >= 10 && outcome.rows.count < 40)
        let reference = try Unpack.run(UnpackRequest(archives: [whole], outputDirectory: arena.scratch.appending("whole")))
        let complete = Dictionary(uniqueKeysWithValues: reference.rows.map { ($0.path, $0.sha256) })
        for row in outcome.rows {
            #expect(complete[row.path] == row.sha256, "\(row.path) was written incompletely")
        }
        let onDisk = arena.scratch.tree("out").filter { $0 != Manifest.fileName }
        #expect(onDisk == outcome.rows.map(\.path).sorted())
    }

    @Test("a zip member failing its CRC is reported and not written; the good members are kept")
    func zipMemberWithBadChecksum() throws {
        let arena = try Arena()
        let zip = arena.scratch.appending("bundle.zip")
        try TestArchive.write([.file("first.log", Self.logText), .file("second.log", Self.logText)], as: .zipStored, to: zip)
        try Self.damage(zip, memberIndex: 0)
        let outcome = try Unpack.run(UnpackRequest(archives: [zip], outputDirectory: arena.output))
        arena.expectContained(outcome, refusing: "bundle.zip!first.log")
        arena.expectContained(outcome, refusing: "bad CRC")
        #expect(!FileManager.default.fileExists(atPath: arena.output + "/first.log"))
        #expect(outcome.rows.map(\.path) == ["second.log"])
    }

    @Test("a zip member whose compressed data is corrupt ends the archive with one located message")
    func zipMemberWithCorruptDeflate() throws {
        let arena = try Arena()
        let zip = arena.scratch.appending("bundle.zip")
        try TestArchive.write([.file("first.log", Self.logText), .file("second.log", Self.logText)], as: .zip, to: zip)
        try Self.damage(zip, memberIndex: 1)
        let outcome = try Unpack.run(UnpackRequest(archives: [zip], outputDirectory: arena.output))
        arena.expectContained(outcome, refusing: "bundle.zip!second.log (byte ")
        #expect(outcome.rows.map(\.path) == ["first.log"])
        #expect(outcome.diagnostics.all.count == 1)
    }

    static let logText = Array((0 ..< 400).map { "[07-09 20:51:\($0 % 60) TUYA Debug][iot_httpc.c:\($0)] Post Data \($0 * 7919 % 10007)\n" }
        .joined().utf8)

    /// Flips bytes in the middle of the data of the zip's `memberIndex`th member.
    static func damage(_ zip: String, memberIndex: Int) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: zip)))
        let signature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let headers = (0 ..< bytes.count - 4).filter { Array(bytes[$0 ..< $0 + 4]) == signature }
        let header = headers[memberIndex]
        let nameLength = Int(bytes[header + 26]) | Int(bytes[header + 27]) << 8
        let extraLength = Int(bytes[header + 28]) | Int(bytes[header + 29]) << 8
        let data = header + 30 + nameLength + extraLength
        for index in data + 200 ..< data + 208 { bytes[index] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: zip))
    }

    @Test("a file that is not an archive is named as such, and the other inputs still unpack")
    func notAnArchive() throws {
        let arena = try Arena()
        let text = arena.scratch.appending("notes.txt")
        try Data("just text".utf8).write(to: URL(fileURLWithPath: text))
        let good = arena.scratch.appending("good.tar.gz")
        try TestArchive.write([.file("ok.txt", [1, 2, 3])], as: .tarGzip, to: good)
        let outcome = try Unpack.run(UnpackRequest(archives: [text, arena.scratch.appending("missing.tar"), good],
                                                   outputDirectory: arena.output))
        arena.expectContained(outcome, refusing: "notes.txt: error: not an archive")
        arena.expectContained(outcome, refusing: "missing.tar: error: cannot read: No such file or directory")
        #expect(outcome.rows.map(\.path) == ["ok.txt"])
    }

    @Test("existing files are kept without --force and replaced with it")
    func overwriteNeedsForce() throws {
        let arena = try Arena()
        _ = try makeFolder(arena.output)
        try Data("original".utf8).write(to: URL(fileURLWithPath: arena.output + "/tuya.log"))
        let refused = try arena.unpack([.file("tuya.log", Array("new".utf8))])
        arena.expectContained(refused, refusing: "already exists")
        #expect(try String(contentsOfFile: arena.output + "/tuya.log", encoding: .utf8) == "original")

        try FileManager.default.removeItem(atPath: arena.output + "/" + Manifest.fileName)
        let forced = try arena.unpack([.file("tuya.log", Array("new".utf8))], overwrite: true)
        #expect(forced.exitStatus == 0)
        #expect(try String(contentsOfFile: arena.output + "/tuya.log", encoding: .utf8) == "new")
    }

    @Test("a folder holding an earlier run's manifest is refused before anything is written")
    func earlierManifestRefusesTheRun() throws {
        let arena = try Arena()
        _ = try arena.unpack([.file("a.txt", [1])])
        #expect(throws: InputError.self) { try arena.unpack([.file("b.txt", [2])]) }
        #expect(!FileManager.default.fileExists(atPath: arena.output + "/b.txt"))
    }

    @Test("a member named like the manifest is refused")
    func memberNamedManifest() throws {
        let arena = try Arena()
        let outcome = try arena.unpack([.file("manifest.csv", Array("forged".utf8))])
        arena.expectContained(outcome, refusing: "would replace firmtrace's own manifest.csv")
        #expect(try String(contentsOfFile: arena.output + "/manifest.csv", encoding: .utf8).hasPrefix("path,size"))
    }
}
