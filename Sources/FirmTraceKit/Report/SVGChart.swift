/// Charts as inline SVG text: the report is one file that opens anywhere, offline, with no script.
enum SVGChart {
    /// A bar per value, labelled below every `labelEvery` bars; `highlight` bar ranges are shaded behind.
    static func bars(_ values: [Int], labels: [String], labelEvery: Int = 1, width: Int = 720, height: Int = 140,
                     highlight: [Range<Int>] = [], title: String) -> String {
        guard !values.isEmpty else { return "" }
        let top = 16, bottom = 22, left = 44
        let plotWidth = Double(width - left - 8), plotHeight = Double(height - top - bottom)
        let step = plotWidth / Double(values.count)
        let maximum = max(1, values.max() ?? 1)
        var svg = open(width, height, title)
        for range in highlight {
            let x = Double(left) + Double(range.lowerBound) * step
            svg += "<rect class=\"peak\" x=\"\(fixed(x))\" y=\"\(top)\" width=\"\(fixed(Double(range.count) * step))\" height=\"\(fixed(plotHeight))\"/>"
        }
        for (index, value) in values.enumerated() where value > 0 {
            let barHeight = max(1, plotHeight * Double(value) / Double(maximum))
            let x = Double(left) + Double(index) * step
            svg += "<rect class=\"bar\" x=\"\(fixed(x + step * 0.1))\" y=\"\(fixed(Double(top) + plotHeight - barHeight))\" "
            svg += "width=\"\(fixed(max(0.5, step * 0.8)))\" height=\"\(fixed(barHeight))\"><title>\(HTMLText.escaped(labels[safe: index] ?? "")): \(value)</title></rect>"
        }
        svg += axis(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, maximum: maximum)
        for index in Swift.stride(from: 0, to: values.count, by: max(1, labelEvery)) {
            let x = Double(left) + (Double(index) + 0.5) * step
            svg += "<text class=\"tick\" x=\"\(fixed(x))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTMLText.escaped(labels[safe: index] ?? ""))</text>"
        }
        return svg + "</svg>"
    }

    /// One lane per row: a mark per bin with events, darker with more; shaded `highlight` bin ranges.
    static func lanes(_ rows: [(label: String, group: String, bins: [Int])], axisLabels: [(bin: Int, text: String)], binCount: Int,
                      highlight: [Range<Int>], width: Int = 960) -> String {
        guard !rows.isEmpty, binCount > 0 else { return "" }
        let labelWidth = 330, laneHeight = 14, top = 8, bottom = 22
        let height = top + rows.count * laneHeight + bottom
        let plotWidth = Double(width - labelWidth - 8)
        let step = plotWidth / Double(binCount)
        var svg = open(width, height, "Behaviours over time")
        for index in Swift.stride(from: 0, to: rows.count, by: 2) {
            svg += "<rect class=\"stripe\" x=\"0\" y=\"\(top + index * laneHeight)\" width=\"\(width)\" height=\"\(laneHeight)\"/>"
        }
        for range in highlight {
            let x = Double(labelWidth) + Double(range.lowerBound) * step
            svg += "<rect class=\"peak\" x=\"\(fixed(x))\" y=\"\(top)\" width=\"\(fixed(Double(range.count) * step))\" height=\"\(rows.count * laneHeight)\"/>"
        }
        for (index, row) in rows.enumerated() {
            let y = top + index * laneHeight
            // About 6 px a character at this size: the label stops before the plot starts.
            let room = max(8, labelWidth / 6 - row.group.count - 2)
            let label = row.label.count > room ? String(row.label.prefix(room - 1)) + "…" : row.label
            svg += "<text class=\"lane\" x=\"4\" y=\"\(y + laneHeight - 3)\"><tspan class=\"group\">\(HTMLText.escaped(row.group))</tspan> \(HTMLText.escaped(label))<title>\(HTMLText.escaped(row.label))</title></text>"
            let maximum = Double(max(1, row.bins.max() ?? 1))
            for (bin, count) in row.bins.enumerated() where count > 0 {
                let opacity = 0.25 + 0.75 * log(1 + Double(count)) / log(1 + maximum)
                svg += "<rect class=\"mark\" x=\"\(fixed(Double(labelWidth) + Double(bin) * step))\" y=\"\(y + 2)\" width=\"\(fixed(max(1, step - 0.5)))\" "
                svg += "height=\"\(laneHeight - 4)\" fill-opacity=\"\(fixed(opacity))\"><title>\(count)</title></rect>"
            }
        }
        for tick in axisLabels {
            let x = Double(labelWidth) + Double(tick.bin) * step
            svg += "<line class=\"grid\" x1=\"\(fixed(x))\" y1=\"\(top)\" x2=\"\(fixed(x))\" y2=\"\(top + rows.count * laneHeight)\"/>"
            svg += "<text class=\"tick\" x=\"\(fixed(x))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTMLText.escaped(tick.text))</text>"
        }
        return svg + "</svg>"
    }

    private static func open(_ width: Int, _ height: Int, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
            + "<title>\(HTMLText.escaped(title))</title>"
    }

    private static func axis(left: Int, top: Int, plotWidth: Double, plotHeight: Double, maximum: Int) -> String {
        let baseline = fixed(Double(top) + plotHeight)
        return "<line class=\"axis\" x1=\"\(left)\" y1=\"\(baseline)\" x2=\"\(fixed(Double(left) + plotWidth))\" y2=\"\(baseline)\"/>"
            + "<text class=\"tick\" x=\"\(left - 4)\" y=\"\(top + 8)\" text-anchor=\"end\">\(maximum)</text>"
            + "<text class=\"tick\" x=\"\(left - 4)\" y=\"\(baseline)\" text-anchor=\"end\">0</text>"
    }

    private static func fixed(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }
}

/// Text made safe for HTML and SVG.
enum HTMLText {
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "\"") })
        else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
