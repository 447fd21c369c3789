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
        /// A message larger than this (`ingest.max_read_bytes`) is not read whole: it is stored byte for byte from
        /// a file, a window at a time, and only its header and the beginning of its text are read.
        public var maxReadBytes = Ingest.defaultMaxReadBytes
        /// 10 MB: larger than nearly every reply, small enough that ingest stays within a few times it.
        public static let defaultMaxReadBytes = 10_000_000
        public init(requireSignature: RequireSignature = .none, maxReadBytes: Int = Ingest.defaultMaxReadBytes) {
            self.requireSignature = requireSignature; self.maxReadBytes = maxReadBytes
        }
    }

    /// Reads `ingest:`.
    mutating func readIngest(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "ingest", allowed: ["require_signature", "max_read_bytes"]) else { return }
        for (name, _, value) in fields.entries {
            if name == "max_read_bytes" {
                guard let text = reader.singleLine(value, field: "ingest.max_read_bytes") else { continue }
                if let bytes = Int(text), bytes >= 65_536 {
                    ingest.maxReadBytes = bytes
                } else {
                    reader.error(YAMLFields.line(value), "ingest.max_read_bytes must be a number of bytes, at least 65536, not \"\(text)\"")
                }
                continue
            }
            guard let text = reader.singleLine(value, field: "ingest.require_signature") else { continue }
            if let policy = Ingest.RequireSignature(rawValue: text) {
                ingest.requireSignature = policy
            } else {
                reader.error(YAMLFields.line(value), "ingest.require_signature must be none, statements or all, not \"\(text)\"")
            }
        }
    }
}
