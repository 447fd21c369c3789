import Foundation
import Registry

/// One number of the report with the sentence that says exactly what was counted.
///
/// JSON: `{"definition": "…", "rule": "…", "value": 14}`, plus `"compare"` when the report was compared with another
/// quarter.
public struct Figure: Sendable, Hashable, Encodable {
    /// The number.
    public var value: FigureValue
    /// One line, in plain English, saying what was counted, for a reader of the report.
    public var definition: String
    /// The precise rule, in the registry's own terms (states, recorded times), for someone checking the figure.
    public var rule: String
    /// The same figure in the quarter compared with, and the change; nil unless `--compare` was asked.
    public var compare: FigureComparison?

    public init(_ value: FigureValue, _ definition: String, rule: String? = nil) {
        self.value = value
        self.definition = definition
        self.rule = rule ?? definition
    }

    /// A count.
    public static func count(_ value: Int, _ definition: String, rule: String? = nil) -> Figure {
        Figure(.count(value), definition, rule: rule)
    }

    /// The count, for figures that are counts; 0 otherwise.
    public var count: Int {
        if case .count(let value) = value { return value }
        return 0
    }
}

/// A count, a share (0 to 1) or a number of days; a share or a number of days is nil when nothing was measured.
public enum FigureValue: Sendable, Hashable, Encodable {
    case count(Int)
    case share(Double?)
    case days(Double?)

    /// The value as a number, nil when undefined.
    public var number: Double? {
        switch self {
        case .count(let value): Double(value)
        case .share(let value), .days(let value): value
        }
    }

    /// The same kind of value, zero; stands for a breakdown key absent from one of two compared quarters.
    var zero: FigureValue {
        switch self {
        case .count: .count(0)
        case .share: .share(nil)
        case .days: .days(nil)
        }
    }

    /// `self − other`, of the same kind; nil inside when either is undefined.
    func minus(_ other: FigureValue) -> FigureValue {
        switch (self, other) {
        case (.count(let a), .count(let b)): return .count(a - b)
        case (.share(let a), .share(let b)): return .share(a.flatMap { a in b.map { FigureValue.rounded(a - $0, 4) } })
        case (.days(let a), .days(let b)): return .days(a.flatMap { a in b.map { FigureValue.rounded(a - $0, 2) } })
        default: return .days(nil)
        }
    }

    /// Counts encode as integers, shares and days as numbers, undefined as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let value): try container.encode(value)
        case .share(let value), .days(let value):
            if let value { try container.encode(value) } else { try container.encodeNil() }
        }
    }

    static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}

/// A figure's value in another quarter and the change from it.
///
/// JSON: `{"change": 11, "changePercent": 366.7, "quarter": "2007Q2", "value": 3}`; `changePercent` is null when
/// the other value is 0 or undefined.
public struct FigureComparison: Sendable, Hashable, Encodable {
    /// The quarter compared with.
    public var quarter: Quarter
    /// The figure in that quarter.
    public var value: FigureValue
    /// This quarter's value minus that quarter's.
    public var change: FigureValue
    /// The change as a percentage of that quarter's value, one decimal.
    @NullWhenAbsent public var changePercent: Double? = nil

    init(quarter: Quarter, this: FigureValue, other: FigureValue) {
        self.quarter = quarter
        value = other
        change = this.minus(other)
        if let delta = change.number, let base = other.number, base != 0 {
            changePercent = FigureValue.rounded(delta / base * 100, 1)
        }
    }
}

/// A figure that also lists what it counted (longest-waiting participants, key problems…).
///
/// JSON: the figure's keys plus `"items": […]`; `value` counts all of them, `items` holds at most
/// ``QuarterReport/listLimit``.
public struct ListedFigure<Item: Sendable & Hashable & Encodable>: Sendable, Hashable, Encodable {
    public var figure: Figure
    public var items: [Item]

    public init(_ figure: Figure, items: [Item]) {
        self.figure = figure
        self.items = items
    }

    public func encode(to encoder: any Encoder) throws {
        try figure.encode(to: encoder)
        var container = encoder.container(keyedBy: ListedFigureKey.self)
        try container.encode(items, forKey: .items)
    }
}

private enum ListedFigureKey: String, CodingKey { case items }

/// A count in the quarter beside the running total to the quarter's end, printed `43 (total 708)`.
///
/// JSON: `{"cumulative": {…figure…}, "inQuarter": {…figure…}}`.
public struct PeriodAndTotal: Sendable, Hashable, Encodable {
    public var inQuarter: Figure
    public var cumulative: Figure
}
