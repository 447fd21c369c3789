/// A FIRST Traffic Light Protocol 2.0 label (https://www.first.org/tlp/): who a case's information may go to.
///
/// The label is written in its original form, `TLP:AMBER+STRICT`, in every language: TLP 2.0 asks that it
/// never be translated.
/// ```swift
/// TrafficLightProtocol(label: "amber+strict")?.label   // "TLP:AMBER+STRICT"
/// ```
public enum TrafficLightProtocol: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case clear = "CLEAR"
    case green = "GREEN"
    case amber = "AMBER"
    case amberStrict = "AMBER+STRICT"
    case red = "RED"

    /// The default when neither `--tlp` nor `cases.tlp` says otherwise.
    public static let defaultLevel = TrafficLightProtocol.amberStrict

    /// Accepts `AMBER+STRICT`, `amber+strict` or `TLP:AMBER+STRICT`; nil for anything else.
    public init?(label: String) {
        var text = label.trimmingCharacters(in: .whitespaces).uppercased()
        if text.hasPrefix("TLP:") { text.removeFirst(4) }
        self.init(rawValue: text)
    }

    /// `TLP:RED`, as it appears in subjects and bodies.
    public var label: String { "TLP:" + rawValue }

    /// `RED` is for named recipients only: never sent to `cc` contacts.
    public var allowsCarbonCopies: Bool { self != .red }

    public var description: String { label }

    /// True when `self` lets the information go to fewer people than `other` (CLEAR < GREEN < AMBER < AMBER+STRICT < RED).
    public func isStricter(than other: TrafficLightProtocol) -> Bool {
        Self.allCases.firstIndex(of: self)! > Self.allCases.firstIndex(of: other)!
    }

    /// The accepted values, for help and error texts.
    public static let choices = allCases.map(\.rawValue).joined(separator: "|")
}
