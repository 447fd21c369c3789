import Foundation
import Mail
import Registry

/// A stored inbound message as a person reads it (`liaison inbox show ID`): its headers decoded, its text, the
/// outcome of its signature check and its attachments, from the exact bytes that were received.
///
/// ```swift
/// let view = try InboundMessageView.read(store: store, reference: "42")
/// print(view.subject ?? "", view.text ?? "")
/// ```
public struct InboundMessageView: Sendable, Encodable {
    /// One attachment: its file name (when given), its media type and its decoded size in bytes.
    public struct AttachmentNote: Sendable, Encodable {
        public let filename: String?
        public let contentType: String
        public let bytes: Int
    }

    public let entry: InboundTransaction.Entry
    /// The From header decoded, display name included (`"PSIRT" <psirt@example.com>`); nil when absent or unparsable.
    public var fromHeader: String? = nil
    public let to: [String]
    public let cc: [String]
    public let date: Date?
    public let subject: String?
    /// The first plain text part that is not an attachment, decoded; nil when there is none (or it is encrypted).
    public let text: String?
    public let attachments: [AttachmentNote]
    /// The stored message could not be parsed as RFC 5322 (its bytes are kept all the same).
    public let unparsable: Bool
    /// The stored size in bytes, when the message is larger than `maxReadBytes` and only its first window was
    /// read (`LargeMessage`): its text and attachments are then shown as far as that window goes.
    public var readInPart: Int? = nil

    /// Reads message `reference` (its row id, or its Message-ID); nil when there is none. A message larger than
    /// `maxReadBytes` is read from its first window only, never whole.
    public static func read(store: RegistryStore, reference: String,
                            maxReadBytes: Int = WorkspaceConfiguration.Ingest.defaultMaxReadBytes) throws -> InboundMessageView? {
        let found = try store.inbound.read { transaction -> (InboundTransaction.Entry, Data?, Int?)? in
            guard let entry = try transaction.entry(reference) else { return nil }
            if let size = try transaction.byteCount(id: entry.id), size > maxReadBytes {
                return (entry, try transaction.head(id: entry.id, count: LargeMessage.readableWindow).map(LargeMessage.readable), size)
            }
            return (entry, try transaction.bytes(id: entry.id), nil)
        }
        guard let (entry, bytes, readInPart) = found else { return nil }
        guard let bytes, let message = try? ParsedMessage(bytes: bytes) else {
            var view = InboundMessageView(entry: entry, to: [], cc: [], date: nil, subject: entry.subject, text: nil,
                                          attachments: [], unparsable: true)
            view.readInPart = readInPart
            return view
        }
        var attachments: [AttachmentNote] = []
        func collect(_ entity: ParsedEntity) {
            if entity.contentType.isMultipart { entity.parts.forEach(collect); return }
            guard entity.isAttachment else { return }
            attachments.append(AttachmentNote(filename: entity.filename,
                                              contentType: "\(entity.contentType.type)/\(entity.contentType.subtype)",
                                              bytes: entity.decodedBody.count))
        }
        collect(message.root)
        var view = InboundMessageView(entry: entry, to: message.to.map(\.description), cc: message.cc.map(\.description),
                                      date: message.date, subject: message.subject ?? entry.subject, text: message.bodyText,
                                      attachments: attachments, unparsable: false)
        view.fromHeader = message.from?.description
        view.readInPart = readInPart
        return view
    }
}
