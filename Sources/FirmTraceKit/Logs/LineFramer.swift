/// One line of a log, borrowed from the buffer being framed: valid only during the callback.
struct LogLine {
    /// The line without its `\n` or `\r\n`.
    let bytes: UnsafeRawBufferPointer
    /// 1-based line number in the source.
    let number: Int
    /// Byte offset of the line's start in the source.
    let offset: Int64
}

/// Splits a stream of byte chunks into lines. A line split across chunks is carried over and joined; a
/// mapped file arrives as one chunk and is never copied. Work is linear in the input however long a line
/// is, and a line longer than `maxLineLength` is cut there (the rest continues as a new line) so a
/// hostile input cannot make the carry buffer grow without bound.
struct LineFramer {
    static let maxLineLength = 64 << 20

    private var carry: [UInt8] = []
    private var carryOffset: Int64 = 0
    private(set) var lineCount: Int

    /// `firstLineNumber` numbers the first line framed, for excerpts out of the middle of a source.
    init(firstLineNumber: Int = 1) {
        lineCount = firstLineNumber - 1
    }

    private(set) var bytesFramed: Int64 = 0
    /// Lines cut at `maxLineLength`.
    private(set) var cutLines = 0

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (LogLine) throws -> Void) rethrows {
        var start = 0
        if !carry.isEmpty {
            let end = ByteSearch.firstIndex(of: 0x0A, in: chunk) ?? chunk.count
            let room = Self.maxLineLength - carry.count
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0 ..< min(end, room)]))
            bytesFramed += Int64(min(end, room))
            if end == chunk.count && end <= room {
                return
            }
            try emitCarry(body)
            start = min(end, room)
            if start < chunk.count, chunk[start] == 0x0A {
                start += 1
                bytesFramed += 1
            } else {
                cutLines += 1
            }
        }
        while start < chunk.count {
            guard let end = ByteSearch.firstIndex(of: 0x0A, in: chunk, from: start) else {
                break
            }
            if end - start > Self.maxLineLength {
                try emit(UnsafeRawBufferPointer(rebasing: chunk[start ..< start + Self.maxLineLength]), body)
                bytesFramed += Int64(Self.maxLineLength)
                start += Self.maxLineLength
                cutLines += 1
                continue
            }
            try emit(UnsafeRawBufferPointer(rebasing: chunk[start ..< end]), body)
            bytesFramed += Int64(end - start + 1)
            start = end + 1
        }
        if start < chunk.count {
            carryOffset = bytesFramed
            var rest = start
            while chunk.count - rest > Self.maxLineLength {
                try emit(UnsafeRawBufferPointer(rebasing: chunk[rest ..< rest + Self.maxLineLength]), body)
                bytesFramed += Int64(Self.maxLineLength)
                rest += Self.maxLineLength
                cutLines += 1
                carryOffset = bytesFramed
            }
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[rest...]))
            bytesFramed += Int64(chunk.count - rest)
        }
    }

    /// Emits a last line that had no terminator.
    mutating func finish(_ body: (LogLine) throws -> Void) rethrows {
        if !carry.isEmpty { try emitCarry(body) }
    }

    private mutating func emitCarry(_ body: (LogLine) throws -> Void) rethrows {
        let line = carry
        carry.removeAll(keepingCapacity: true)
        lineCount += 1
        try line.withUnsafeBytes { bytes in
            try body(LogLine(bytes: Self.trimmingCR(bytes), number: lineCount, offset: carryOffset))
        }
    }

    private mutating func emit(_ bytes: UnsafeRawBufferPointer, _ body: (LogLine) throws -> Void) rethrows {
        lineCount += 1
        try body(LogLine(bytes: Self.trimmingCR(bytes), number: lineCount, offset: bytesFramed))
    }

    private static func trimmingCR(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        bytes.last == 0x0D ? UnsafeRawBufferPointer(rebasing: bytes.dropLast()) : bytes
    }
}

extension Diagnostics {
    /// The warning for lines of a source cut at `LineFramer.maxLineLength`, when there were any.
    mutating func reportCutLines(_ count: Int, at location: InputLocation) {
        guard count > 0 else { return }
        report(.warning, at: location, "\(count) lines longer than \(LineFramer.maxLineLength) bytes were cut there")
    }
}
