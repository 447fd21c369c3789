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

    // The sharing rule of TLP 2.0 as Liaison applies it to the messages of a case, in one place.

    /// `RED` is for named recipients only: never sent to `cc` contacts.
    public var allowsCarbonCopies: Bool { self != .red }

    /// Whether a message about one participant may be copied to another organisation (the coordinator that
    /// `reminders.coordinator` names, on an escalation): not at `RED` (the participants' own contacts only) nor
    /// at `AMBER+STRICT` (the participant's organisation only); at `AMBER`, `GREEN` and `CLEAR`, yes.
    public var allowsOtherOrganizations: Bool {
        switch self {
        case .red, .amberStrict: false
        case .amber, .green, .clear: true
        }
    }

    /// The levels that keep a message within the participant's organisation (`allowsOtherOrganizations` false),
    /// the strictest first.
    public static var withinOrganization: [TrafficLightProtocol] { allCases.reversed().filter { !$0.allowsOtherOrganizations } }

    public var description: String { label }

    /// True when `self` lets the information go to fewer people than `other` (CLEAR < GREEN < AMBER < AMBER+STRICT < RED).
    public func isStricter(than other: TrafficLightProtocol) -> Bool {
        Self.allCases.firstIndex(of: self)! > Self.allCases.firstIndex(of: other)!
    }

    /// The accepted values, for help and error texts.
    public static let choices = allCases.map(\.rawValue).joined(separator: "|")
}
