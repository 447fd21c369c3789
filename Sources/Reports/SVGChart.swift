import Foundation

/// Line and stacked-bar charts drawn as inline SVG: axes with ticks, category labels, axis titles, a legend, and
/// each value written on the chart so it reads the same on paper.
struct SVGChart {
    struct Series {
        var name: String
        var color: String
        var values: [Int]
    }

    enum Style { case line, stackedBars }

    var title: String
    var style: Style
    var categories: [String]
    var series: [Series]
    var xTitle: String
    var yTitle: String

    static let palette = ["#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#6b7b8c", "#b8860b", "#17a2b8"]

    private let width = 720.0
    private let left = 64.0
    private let right = 700.0
    private let top = 24.0
    private let bottom = 236.0

    func render(id: String) -> String {
        let maximum = style == .line
            ? series.flatMap(\.values).max() ?? 0
            : categories.indices.map { index in series.reduce(0) { $0 + $1.values[index] } }.max() ?? 0
        let (tickStep, axisMax) = Self.niceScale(maximum)
        func y(_ value: Double) -> Double { bottom - (bottom - top) * value / Double(axisMax) }
        let slot = (right - left) / Double(max(categories.count, 1))
        func x(_ index: Int) -> Double { left + slot * (Double(index) + 0.5) }
        let e = HTMLEscaping.escape

        // Legend entries flow in rows under the axis title; the chart grows by a row when they do not fit.
        var legend = [(x: Double, y: Double, entry: Series)]()
        var legendX = left, legendY = bottom + 70
        for entry in series {
            let entryWidth = 20 + 8 * Double(TextWidth.of(entry.name)) + 28
            if legendX > left, legendX + entryWidth > right {
                legendX = left
                legendY += 22
            }
            legend.append((legendX, legendY, entry))
            legendX += entryWidth
        }
        let height = legendY + 24

        var svg = """
            <svg class="chart" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="\(id)-title" \
            preserveAspectRatio="xMidYMid meet">
            <title id="\(id)-title">\(e(title))</title>

            """
        // Grid lines and y-axis ticks.
        var tick = 0
        while tick <= axisMax {
            let ty = y(Double(tick))
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(right))\" y2=\"\(f(ty))\"/>"
            svg += "<text class=\"tick\" x=\"\(f(left - 8))\" y=\"\(f(ty + 4))\" text-anchor=\"end\">\(tick)</text>\n"
            tick += tickStep
        }
        // Axes.
        svg += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\"/>"
        svg += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\"/>\n"
        for (index, category) in categories.enumerated() {
            svg += "<line class=\"axis\" x1=\"\(f(x(index)))\" y1=\"\(f(bottom))\" x2=\"\(f(x(index)))\" y2=\"\(f(bottom + 5))\"/>"
            svg += "<text class=\"tick\" x=\"\(f(x(index)))\" y=\"\(f(bottom + 20))\" text-anchor=\"middle\">\(e(category))</text>\n"
        }
        svg += "<text class=\"axis-title\" x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 42))\" text-anchor=\"middle\">\(e(xTitle))</text>\n"
        svg += "<text class=\"axis-title\" transform=\"translate(16 \(f((top + bottom) / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\">\(e(yTitle))</text>\n"

        switch style {
        case .line:
            for line in series {
                let points = line.values.enumerated().map { "\(f(x($0.offset))),\(f(y(Double($0.element))))" }
                svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2.5\" "
                    + "points=\"\(points.joined(separator: " "))\"/>\n"
                for (index, value) in line.values.enumerated() {
                    svg += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(Double(value))))\" r=\"4\" fill=\"\(line.color)\"/>"
                    svg += "<text class=\"value\" x=\"\(f(x(index)))\" y=\"\(f(y(Double(value)) - 9))\" "
                        + "text-anchor=\"middle\">\(value)</text>\n"
                }
            }
        case .stackedBars:
            let barWidth = slot * 0.56
            for index in categories.indices {
                var base = 0
                for bar in series where bar.values[index] > 0 {
                    let value = bar.values[index]
                    let y0 = y(Double(base)), y1 = y(Double(base + value))
                    svg += "<rect x=\"\(f(x(index) - barWidth / 2))\" y=\"\(f(y1))\" width=\"\(f(barWidth))\" "
                        + "height=\"\(f(y0 - y1))\" fill=\"\(bar.color)\"><title>\(e(bar.name)) \(e(categories[index])): \(value)</title></rect>"
                    if y0 - y1 >= 14 {
                        svg += "<text class=\"bar-value\" x=\"\(f(x(index)))\" y=\"\(f((y0 + y1) / 2 + 4))\" "
                            + "text-anchor=\"middle\">\(value)</text>"
                    }
                    svg += "\n"
                    base += value
                }
                svg += "<text class=\"value\" x=\"\(f(x(index)))\" y=\"\(f(y(Double(base)) - 6))\" "
                    + "text-anchor=\"middle\">\(base)</text>\n"
            }
        }

        for (x, y, entry) in legend {
            svg += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"14\" height=\"14\" fill=\"\(entry.color)\"/>"
            svg += "<text class=\"legend\" x=\"\(f(x + 20))\" y=\"\(f(y + 2))\">\(e(entry.name))</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// A tick step of 1, 2 or 5 × 10ⁿ giving at most about five intervals, and the axis maximum it reaches.
    static func niceScale(_ maximum: Int) -> (step: Int, max: Int) {
        guard maximum > 0 else { return (1, 5) }
        let rough = Double(maximum) / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let integerStep = max(1, Int(step.rounded()))
        // One step of headroom when the maximum lands on a tick, so its value label stays inside the plot.
        let axisMax = (maximum / integerStep + 1) * integerStep
        return (integerStep, axisMax)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
