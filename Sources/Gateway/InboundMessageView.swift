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
    public let to: [String]
    public let cc: [String]
    public let date: Date?
    public let subject: String?
    /// The first plain text part that is not an attachment, decoded; nil when there is none (or it is encrypted).
    public let text: String?
    public let attachments: [AttachmentNote]
    /// The stored message could not be parsed as RFC 5322 (its bytes are kept all the same).
    public let unparsable: Bool

    /// Reads message `reference` (its row id, or its Message-ID); nil when there is none.
    public static func read(store: RegistryStore, reference: String) throws -> InboundMessageView? {
        let found = try store.inbound.read { transaction -> (InboundTransaction.Entry, Data?)? in
            guard let entry = try transaction.entry(reference) else { return nil }
            return (entry, try transaction.bytes(id: entry.id))
        }
        guard let (entry, bytes) = found else { return nil }
        guard let bytes, let message = try? ParsedMessage(bytes: bytes) else {
            return InboundMessageView(entry: entry, to: [], cc: [], date: nil, subject: entry.subject, text: nil,
                                      attachments: [], unparsable: true)
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
        return InboundMessageView(entry: entry, to: message.to.map(\.description), cc: message.cc.map(\.description),
                                  date: message.date, subject: message.subject ?? entry.subject, text: message.bodyText,
                                  attachments: attachments, unparsable: false)
    }
}
