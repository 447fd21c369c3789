import Yams

extension WorkspaceConfiguration {
    /// How `ingest` trusts replies (`ingest:` in liaison.yaml).
    public struct Ingest: Sendable, Equatable {
        /// Which replies must carry a verified signature before they change a response.
        public enum RequireSignature: String, Sendable, Equatable, CaseIterable {
            /// Unsigned replies count (a bad or foreign signature never does).
            case none
            /// `not-affected` and `fixed` statements count only from a verified reply.
            case statements
            /// Every response change needs a verified reply.
            case all
        }
        public var requireSignature: RequireSignature = .none
        public init(requireSignature: RequireSignature = .none) { self.requireSignature = requireSignature }
    }

    /// Reads `ingest:`.
    mutating func readIngest(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "ingest", allowed: ["require_signature"]) else { return }
        for (_, _, value) in fields.entries {
            guard let text = reader.singleLine(value, field: "ingest.require_signature") else { continue }
            if let policy = Ingest.RequireSignature(rawValue: text) {
                ingest.requireSignature = policy
            } else {
                reader.error(YAMLFields.line(value), "ingest.require_signature must be none, statements or all, not \"\(text)\"")
            }
        }
    }
}
