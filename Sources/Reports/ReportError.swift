/// An error raised while reading report parameters or building a report.
///
/// Match on the static members:
/// ```swift
/// do { _ = try Quarter(parsing: "2007Q5") } catch where error == .malformedQuarter { … }
/// ```
public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: Equatable, Sendable {
        case malformedQuarter
        case quarterOutOfRange
        case unknownTimeZone
        case database
    }

    private let code: Code
    /// One clear sentence for the user.
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// A quarter that is not written `YYYYQN` with N from 1 to 4.
    public static let malformedQuarter = ReportError(.malformedQuarter, "")
    /// A quarter outside the years the calendar arithmetic supports.
    public static let quarterOutOfRange = ReportError(.quarterOutOfRange, "")
    /// A time zone identifier the system does not know.
    public static let unknownTimeZone = ReportError(.unknownTimeZone, "")
    /// The database could not be read.
    public static let database = ReportError(.database, "")

    /// Errors compare by kind only, so `error == .malformedQuarter` matches whatever the message says.
    public static func == (lhs: ReportError, rhs: ReportError) -> Bool { lhs.code == rhs.code }

    static func malformedQuarter(_ text: String, _ why: String) -> ReportError {
        ReportError(.malformedQuarter, "The quarter \"\(text)\" is not valid: \(why); write it as YYYYQN, for example 2007Q3.")
    }

    static func quarterOutOfRange(_ text: String) -> ReportError {
        ReportError(.quarterOutOfRange, "The quarter \"\(text)\" is outside the supported years 1000 to 9999.")
    }

    static func unknownTimeZone(_ identifier: String) -> ReportError {
        ReportError(.unknownTimeZone, "The time zone \"\(identifier)\" is unknown; use an IANA name such as Asia/Tokyo or UTC.")
    }

    static func database(_ underlying: any Error) -> ReportError {
        ReportError(.database, "The report could not read the registry database: \(underlying).")
    }
}
