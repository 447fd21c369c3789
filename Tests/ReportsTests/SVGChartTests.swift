@testable import Reports
import Testing

@Suite struct SVGChartTests {
    @Test func axisReachesOneNiceStepAboveTheMaximum() {
        #expect(SVGChart.niceScale(0) == (1, 5))
        #expect(SVGChart.niceScale(4) == (1, 5))
        #expect(SVGChart.niceScale(14) == (5, 15))
        #expect(SVGChart.niceScale(43) == (10, 50))
        #expect(SVGChart.niceScale(729) == (200, 800))
        #expect(SVGChart.niceScale(1_000_000) == (200_000, 1_200_000))
    }

    @Test func linePointsAreAtTheirValues() {
        let chart = SVGChart(title: "t", style: .line, categories: ["2007Q2", "2007Q3"],
                             series: [.init(name: "sent", color: "#000", values: [0, 5])], xTitle: "x", yTitle: "y")
        let svg = chart.render(id: "c")
        // Plot from x 64 to 700 in two slots; y from 236 (0) up to 24 (axis maximum 6).
        #expect(svg.contains("points=\"223.0,236.0 541.0,59.3\""))
        #expect(svg.contains(">2007Q2</text>") && svg.contains(">5</text>"))
    }

    @Test func stackedBarsAddUpAndLegendWraps() {
        let names = (1...9).map { "origin number \($0)" }
        let chart = SVGChart(title: "t", style: .stackedBars, categories: ["Q"],
                             series: names.map { .init(name: $0, color: "#000", values: [1]) }, xTitle: "x", yTitle: "y")
        let svg = chart.render(id: "c")
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 18)  // 9 bar segments + 9 legend keys
        #expect(svg.contains(">9</text>"))  // the bar's total
        #expect(!svg.contains("viewBox=\"0 0 720.0 330.0\""))  // grew for a second legend row
        #expect(svg.contains("&lt;") == false)
    }

    @Test func chartTextIsEscaped() {
        let chart = SVGChart(title: "<b>&", style: .line, categories: ["<Q>"],
                             series: [.init(name: "a\"b", color: "#000", values: [1])], xTitle: "x", yTitle: "y")
        let svg = chart.render(id: "c")
        #expect(svg.contains("&lt;b&gt;&amp;") && svg.contains("&lt;Q&gt;") && svg.contains("a&quot;b"))
    }
}
