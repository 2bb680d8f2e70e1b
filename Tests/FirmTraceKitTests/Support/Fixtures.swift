import Crypto
import Foundation

/// Files in Tests/FirmTraceKitTests/Fixtures: the tshark and scapy oracles, each made by a script in Scripts/.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The rows of a tab-separated fixture without its header, each split into its columns.
    static func rows(_ name: String, columns: Int) -> [[String]] {
        let text = (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst()
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0.count == columns }
    }

    /// SHA-256 of lines as the scripts hash them: each line followed by a newline, nothing for no lines.
    static func digest(ofLines lines: [String]) -> String {
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        return SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension TestPaths {
    /// A capture named as the oracle scripts name it: `Samples/…` in the project, anything else in the corpus.
    static func capture(_ file: String) -> String {
        file.hasPrefix("Samples/") ? projectRoot.appendingPathComponent(file).path : corpus.appendingPathComponent(file).path
    }
}
