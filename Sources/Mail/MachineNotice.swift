import Foundation

/// Mail that a mail system or a mail client writes about a message, not in answer to it: a quarantine or
/// content-filter notice of the recipient's gateway (the recipient never got our message), a recall request
/// (Outlook's "Recall:"), a read receipt (RFC 8098, or a client's own "Read:" mail). None of them is an answer.
enum MachineNotice {
    /// Quarantine wording, lowercased: enough on its own.
    static let quarantineWords = ["quarantin", "隔離", "隔离", "격리", "quarantäne", "検疫"]

    /// Wording of a held or blocked message: a notice only when a mail gateway (`gateways`) wrote it.
    static let heldWords = ["has not been delivered", "was not delivered", "held for review", "has been held", "was held",
                            "message held", "blocked by", "was blocked", "has been blocked", "content filter", "bulk email filter",
                            "配信されませんでした", "保留", "차단", "拦截", "攔截", "zurückgehalten", "blockiert"]

    /// Mail gateways that write such notices (named in the text or the subject).
    static let gateways = ["barracuda", "proofpoint", "mimecast", "microsoft 365", "exchange online protection", "office 365",
                           "trend micro", "sophos", "cisco secure email", "ironport", "fortimail", "symantec", "forcepoint"]

    /// Subject prefixes of recall requests (Outlook in several languages).
    static let recallPrefixes = ["recall:", "message recall", "リコール:", "回收:", "撤回:", "회수:", "rückruf:", "rappel :",
                                 "rappel:", "richiamo:", "terughalen:", "recuperar:", "recuperación:"]

    /// Subject prefixes of read receipts that are not RFC 8098 MDNs.
    static let readPrefixes = ["read:", "read receipt", "return receipt", "not read:", "gelesen:", "ungelesen:", "nicht gelesen:",
                               "lu :", "lu:", "non lu :", "leído:", "no leído:", "letto:", "gelezen:", "開封済み:", "開封済み：",
                               "既読:", "未読:", "开封:", "已读:", "已讀:", "읽음:", "읽지 않음:"]

    /// The kind of notice and a line that says what it is, or nil. Held or blocked wording counts only from a
    /// named gateway and never in mail a mail system (MAILER-DAEMON, a null Return-Path) sent: that is a bounce.
    static func detect(_ message: ParsedMessage, sentByMailSystem: Bool) -> (AutomaticReplyKind, String)? {
        let subject = HeaderText.trimmingWSP(message.subject ?? "").lowercased()
        // Notices say what they are at the top; a large message is not read further.
        let text = String(readableText(message).prefix(4000))
        // Reports (delivery, disposition, feedback) are classified by their own parts.
        if message.root.contentType.mediaType == "multipart/report" { return nil }
        if recallPrefixes.contains(where: subject.hasPrefix)
            || text.lowercased().contains("would like to recall the message") {
            return (.recall, "recall request: the sender asks to withdraw an earlier message"
                        + quoted(firstLine(of: text, containing: ["recall"]) ?? message.subject ?? ""))
        }
        if readPrefixes.contains(where: subject.hasPrefix),
           message.inReplyTo.isEmpty || text.lowercased().contains("was read") || text.contains("開封") || text.lowercased().contains("gelesen") {
            return (.readReceipt, "read receipt" + quoted(message.subject ?? ""))
        }
        let head = text.lowercased()
        // Named in what it says, not in a field: a gateway's fields are on people's mail too.
        let gateway = gateways.first { head.contains($0) || subject.contains($0) }
        let word = quarantineWords.first { subject.contains($0) || head.contains($0) }
            ?? (gateway == nil || sentByMailSystem ? nil : heldWords.first { subject.contains($0) || head.contains($0) })
        if let word {
            let line = firstLine(of: text, containing: [word]) ?? message.subject ?? word
            return (.quarantine, "quarantine or content-filter notice" + (gateway.map { " (\($0))" } ?? "")
                        + ": our message did not reach the recipient" + quoted(line))
        }
        return nil
    }

    /// The beginning of the message's text: its text/plain part, else its HTML as text.
    static func readableText(_ message: ParsedMessage) -> String {
        func find(_ entity: ParsedEntity, _ type: String) -> ParsedEntity? {
            if entity.contentType.isMultipart {
                for part in entity.parts { if let found = find(part, type) { return found } }
                return nil
            }
            return entity.contentType.mediaType == type && !entity.isAttachment ? entity : nil
        }
        if let plain = find(message.root, "text/plain") { return head(of: plain) }
        if let html = find(message.root, "text/html") { return HTMLText.plainText(head(of: html)) }
        return ""
    }

    /// The text of `entity`, of a large one only its first 16 KB (a character cut at the end is dropped).
    private static func head(of entity: ParsedEntity) -> String {
        let body = entity.decodedBody
        guard body.count > 16_384 else { return entity.text ?? "" }
        let head = Data(body.prefix(16_384))
        for cut in 0...3 {
            if let text = Charset.decode(head.dropLast(cut), charset: entity.contentType.charset) { return text }
        }
        return String(decoding: head, as: UTF8.self)
    }

    private static func firstLine(of text: String, containing words: [String]) -> String? {
        text.split(whereSeparator: \.isNewline).map { HeaderText.trimmingWSP(String($0)) }
            .first { line in words.contains { line.lowercased().contains($0) } }
    }

    private static func quoted(_ line: String) -> String {
        let text = line.count > 160 ? String(line.prefix(157)) + "…" : line
        return text.isEmpty ? "" : " — \"\(text)\""
    }
}
