import Foundation
import Mail
import Registry

/// What mail a machine sent, or that no one could read, counts for as an answer.
///
/// - Not an answer, and listed for a person: a quarantine or content-filter notice (the vendor never got our
///   notice; a person's reply that only mentions the quarantine and states a status is an answer), a recall request (an earlier statement may be withdrawn), a read receipt, and an encrypted reply that
///   could not be decrypted (nobody read what it says). None acknowledges anything.
/// - An answer: a status stated on a labelled line (`Status: fixed`, an answer to a question of ours) in mail an
///   issue tracker or help desk sent for a person (`Auto-Submitted: auto-generated` on every tracker mail).
public enum MachineMail {
    /// Automatic replies that are listed for review (`inbox --review`) besides never acknowledging.
    public static let notAnswerKinds: Set<AutomaticReplyKind> = [.quarantine, .recall, .readReceipt]

    /// Automatic replies in which a stated status still counts: mail of trackers and help desks, whose kind is
    /// no out-of-office, receipt, notice or list mail; and mail taken for a quarantine notice by its words alone,
    /// which a person writes too ("your notice was caught in our quarantine; Status: not affected"): a gateway's
    /// notice states no status of the vendor on a labelled line.
    static let statementKinds: Set<AutomaticReplyKind> = [.other, .ticketAcknowledgement, .quarantine]

    /// The classification of machine-sent mail that states a status on a labelled line: a human reply (the
    /// statement of a person, sent by their tracker); else `classification` unchanged.
    static func promotingStatement(_ classification: MessageClassification, content: ParsedMessage) -> MessageClassification {
        guard classification.kind == .automaticReply, statementKinds.contains(classification.automaticKind ?? .other),
              case .status(let response, labelled: true) = StatedResponse.reading(of: StatedResponse.text(of: content)),
              response != .acknowledged else { return classification }
        return MessageClassification(kind: .humanReply, reason: "\(response.rawValue) stated in machine-sent mail (\(classification.reason))")
    }

    /// Why machine-sent mail of a tracker or help desk must be read by a person: it states a status in free words
    /// (a developer's note "our product is not affected" without a `Status:` line), which is neither applied unseen
    /// nor dropped. Nil when it states none, or when it is no such mail.
    static func freeStatementForReview(_ classification: MessageClassification, content: ParsedMessage) -> String? {
        guard classification.kind == .automaticReply, classification.automaticKind ?? .other == .other,
              case .status(let response, labelled: false) = StatedResponse.reading(of: StatedResponse.text(of: content)),
              response != .acknowledged else { return nil }
        return "machine-sent mail that says \(response.rawValue) in free words; a person decides "
            + "(liaison inbox assign MSG CASE ORG --response R)"
    }

    /// The classification a person gives a message by setting its status (`inbox assign --response`): an automatic
    /// reply they read as the vendor's answer becomes a human reply; anything else is unchanged.
    static func readByPerson(_ classification: MessageClassification) -> MessageClassification {
        guard classification.kind == .automaticReply else { return classification }
        return MessageClassification(kind: .humanReply, reason: "read as an answer by a person (\(classification.reason))")
    }

    /// The S/MIME content type of an `application/pkcs7-mime` entity: its `smime-type`, else read from the DER
    /// (Outlook leaves the parameter out): `enveloped-data`, `authEnveloped-data`, `signed-data`, `compressed-data`;
    /// nil when it is neither labelled nor readable.
    static func smimeType(_ entity: ParsedEntity) -> String? {
        if let type = entity.contentType.parameters["smime-type"], !type.isEmpty { return type.lowercased() }
        let bytes = [UInt8](entity.decodedBody.prefix(32))
        // ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, … }: pkcs7 1.2.840.113549.1.7.n, or
        // id-ct 1.2.840.113549.1.9.16.1.n.
        let pkcs7: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07]
        let idCT: [UInt8] = [0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01]
        for start in 0..<min(8, bytes.count) {
            let rest = bytes[start...]
            if rest.starts(with: pkcs7), rest.count > pkcs7.count {
                switch rest[rest.startIndex + pkcs7.count] {
                case 0x02: return "signed-data"
                case 0x03: return "enveloped-data"
                default: return nil
                }
            }
            if rest.starts(with: idCT), rest.count > idCT.count {
                switch rest[rest.startIndex + idCT.count] {
                case 0x17: return "authenveloped-data"
                case 0x09: return "compressed-data"
                default: return nil
                }
            }
        }
        return nil
    }
}

extension ClassifiedMessage {
    /// Why this reply is no answer though a person may have written it: it came encrypted and could not be
    /// decrypted, so nobody read it. Nil for a reply that was read.
    public var notAnAnswer: String? {
        guard encrypted, let note = notes.first(where: { $0.hasPrefix("could not decrypt") }) else { return nil }
        return "encrypted reply that nobody read (\(note))"
    }
}
