extension StringProtocol {
    /// Lends the text's UTF-8 bytes without copying it. `withUTF8` is mutating, so a `String` parameter had
    /// to be copied into a `var` first: a retain and a release per call, several per event in the sinks.
    /// Native strings and their substrings (all but bridged ones) are contiguous and lend their bytes as
    /// they are.
    @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = String(self)
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
