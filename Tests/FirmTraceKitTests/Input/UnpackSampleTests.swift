import Foundation
import Testing
@testable import FirmTraceKit

@Suite("unpack on the sample bundles")
struct UnpackSampleTests {
    static let bundles = TestPaths.sampleFiles(endingWith: ".tar.gz") + TestPaths.sampleFiles(endingWith: ".tar.zst")

    @Test("the sample set holds both profiles as .tar.gz and .tar.zst")
    func samplesArePresent() {
        #expect(Self.bundles.count == 4)
    }

    @Test("unpacking gives exactly the files and bytes tar extracts, nested archives unpacked beside them",
          arguments: bundles)
    func matchesTar(_ bundle: String) throws {
        let scratch = try ScratchFolder()
        let outcome = try Unpack.run(UnpackRequest(archives: [bundle], outputDirectory: scratch.appending("ours")))
        #expect(outcome.diagnostics.hasErrors == false)

        let tar = try Subprocess.run("tar", ["-xf", bundle, "-C", try makeFolder(scratch.appending("tar"))])
        #expect(tar.status == 0, "tar failed: \(tar.error)")
        let tarFiles = scratch.tree("tar").filter { isRegularFile(scratch.appending("tar/\($0)")) }
        let ourFiles = scratch.tree("ours").filter { isRegularFile(scratch.appending("ours/\($0)")) }
        let ourTopLevel = ourFiles.filter { !$0.contains(".tar.gz.d/") && $0 != Manifest.fileName }
        #expect(ourTopLevel == tarFiles)
        for file in tarFiles {
            let theirs = try Data(contentsOf: URL(fileURLWithPath: scratch.appending("tar/\(file)")))
            let ours = try Data(contentsOf: URL(fileURLWithPath: scratch.appending("ours/\(file)")))
            #expect(ours == theirs, "\(file) differs from tar's")
        }

        // The nested varlog.tar.gz is unpacked into varlog.tar.gz.d/, again exactly as tar does it.
        for nested in tarFiles where nested.hasSuffix("varlog.tar.gz") {
            let folder = try makeFolder(scratch.appending("tar-nested"))
            #expect(try Subprocess.run("tar", ["-xf", scratch.appending("tar/\(nested)"), "-C", folder]).status == 0)
            let expected = scratch.tree("tar-nested").filter { isRegularFile(scratch.appending("tar-nested/\($0)")) }
            let unpacked = ourFiles.filter { $0.hasPrefix(nested + ".d/") }.map { String($0.dropFirst(nested.count + 3)) }
            #expect(unpacked == expected)
            #expect(!expected.isEmpty)
        }
    }

    @Test("manifest hashes equal sha256sum's for every file written", arguments: bundles)
    func manifestHashesMatchSha256sum(_ bundle: String) throws {
        let scratch = try ScratchFolder()
        let outcome = try Unpack.run(UnpackRequest(archives: [bundle], outputDirectory: scratch.path))
        let files = outcome.rows.filter { $0.type == .file }
        #expect(files.count >= 4)
        let sums = try Subprocess.run("sha256sum", files.map(\.path), in: scratch.path)
        #expect(sums.status == 0)
        var expected: [String: String] = [:]
        for line in sums.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            expected[String(parts[1].drop(while: { $0 == " " || $0 == "*" }))] = String(parts[0])
        }
        for row in files {
            #expect(row.sha256 == expected[row.path], "\(row.path)")
            #expect(row.chain.hasPrefix(bundle + "!"))
        }
        let bundleHash = try Subprocess.run("sha256sum", [bundle]).output.prefix(64)
        #expect(Set(files.map(\.originSHA256)) == [String(bundleHash)])
    }

    @Test("manifest.csv on disk lists every row with RFC 4180 quoting")
    func manifestFileIsWritten() throws {
        let scratch = try ScratchFolder()
        let bundle = try #require(TestPaths.sampleFiles(endingWith: ".tar.gz").last)
        let outcome = try Unpack.run(UnpackRequest(archives: [bundle], outputDirectory: scratch.path))
        let text = try String(contentsOfFile: scratch.appending(Manifest.fileName), encoding: .utf8)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(lines.first == "path,size,sha256,mtime,type,chain,origin_sha256,note")
        #expect(lines.count == outcome.rows.count + 1)
        // v02.29.02 carries an encrypted rrlogd file: kept as is, with a note, and a notice (not an error).
        #expect(text.contains("\"encrypted rrlogd file, kept as is\""))
        #expect(outcome.diagnostics.all.contains { $0.severity == .notice && $0.message.contains("encrypted rrlogd") })
        #expect(outcome.exitStatus == 0)
    }

    @Test("the manifest's mtime is the archive member's, in UTC")
    func modificationTimesComeFromTheArchive() throws {
        let scratch = try ScratchFolder()
        let bundle = try #require(TestPaths.sampleFiles(endingWith: ".tar.gz").first)
        let outcome = try Unpack.run(UnpackRequest(archives: [bundle], outputDirectory: scratch.path))
        let log = try #require(outcome.rows.first { $0.path.hasSuffix("rrlog/tuya.log") })
        #expect(log.modificationTime.hasPrefix("2022-07-09T17:"))
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.appending(log.path))
        let written = try #require(attributes[.modificationDate] as? Date)
        #expect(UTCDateTime.iso8601(seconds: Int64(written.timeIntervalSince1970)) == log.modificationTime)
    }
}

func makeFolder(_ path: String) throws -> String {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func isRegularFile(_ path: String) -> Bool {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return false }
    return attributes[.type] as? FileAttributeType == .typeRegular
}
