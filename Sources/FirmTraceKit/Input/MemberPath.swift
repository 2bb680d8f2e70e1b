/// A member's path, checked to stay inside the output folder. Anything that could climb out of it, by
/// `..`, an absolute path or a link target, is refused with the reason, never rewritten into something
/// the archive did not say.
struct MemberPath: Hashable {
    /// The components below the archive's folder, with empty and `.` components dropped.
    let components: [FileName]

    var isEmpty: Bool { components.isEmpty }
    var display: String { components.map(\.display).joined(separator: "/") }

    struct Refusal: Error {
        let reason: String
    }

    /// Parses a path as stored in an archive. An empty result (`./`) names the archive's own folder.
    static func parse(_ raw: [UInt8]) throws(Refusal) -> MemberPath {
        let slash = UInt8(ascii: "/")
        if raw.first == slash { throw Refusal(reason: "absolute path") }
        var components: [FileName] = []
        for component in raw.split(separator: slash, omittingEmptySubsequences: true) {
            if component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                throw Refusal(reason: "path contains '..'")
            }
            components.append(FileName(Array(component)))
        }
        return MemberPath(components: components)
    }

    /// Checks a symlink target for a link that sits `depth` folders below the output folder. Leading `..`
    /// climb real folders (links are only ever created in folders extraction made itself), so up to
    /// `depth` of them are safe; a `..` after a named component could climb out of a folder that is
    /// itself a link (`a -> .`, then `b -> a/..`), so it is refused.
    static func checkSymlinkTarget(_ target: [UInt8], depth: Int) throws(Refusal) {
        let slash = UInt8(ascii: "/")
        if target.isEmpty { throw Refusal(reason: "symlink with an empty target") }
        if target.first == slash { throw Refusal(reason: "symlink to an absolute path, outside the output folder") }
        var climbs = 0
        var descended = false
        for component in target.split(separator: slash, omittingEmptySubsequences: true) {
            if component.elementsEqual([UInt8(ascii: ".")]) { continue }
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if descended { throw Refusal(reason: "symlink target climbs with '..' after a folder name, which could lead outside") }
                climbs += 1
                if climbs > depth { throw Refusal(reason: "symlink to a place outside the output folder") }
            } else {
                descended = true
            }
        }
    }
}
