import Foundation

/// The signs by which a mail system's report shows itself: its sender and its wording.
enum BounceSigns {
    /// Whether the message comes from a mail system: a null `Return-Path`, or a From of MAILER-DAEMON,
    /// postmaster or a "Mail Delivery" display name.
    static func fromMailSystem(_ message: ParsedMessage, nullReturnPath: Bool = true) -> Bool {
        if nullReturnPath, let returnPath = message.header("Return-Path"), returnPath.filter({ !$0.isWhitespace }) == "<>" { return true }
        let from = (message.header("From") ?? "").lowercased()
        let senders = ["mailer-daemon", "postmaster", "mail delivery", "mail-daemon", "maildelivery", "mail administrator",
                       "mail system", "mailerdaemon", "delivery subsystem", "mmdf", "smtp gateway", "nobody@",
                       "mail-notification", "bounce", "noreply-dmarc", "mail_daemon", "mailer daemon", "post_master",
                       "mail.delivery", "mailadmin"]
        return senders.contains { from.contains($0) }
    }

    struct Wording {
        var isFailure = false
        var isDelay = false
        var isStrong = false
        var isBounce: Bool { isFailure || isDelay }
    }

    /// Subject words that only mail systems use (lowercased, contained).
    static let strongSubjects = [
        "undeliverable", "undelivered mail", "delivery status notification", "mail delivery failed", "failure notice",
        "returned mail", "delivery failure", "non-delivery", "nondeliverable", "mail system error", "delivery has failed",
        "could not be delivered", "delivery notification", "message not delivered", "undeliverable mail",
        "mail could not be delivered", "delivery final failure", "permanent delivery failure", "rejected:",
        "mail delivery system", "returned to sender", "delivery failed", "undelivered", "unzustellbar",
        "non remis", "no se puede entregar", "não entregue", "nicht zustellbar", "error sending message",
        "delivery problem", "mail failure", "message delivery failure", "failed delivery", "bounce",
        "warning: could not send", "delayed mail", "delivery delayed", "delivery status", "mail delivery problem",
        "配信エラー", "配送エラー", "送信エラー", "エラーメール", "不達", "宛先不明", "退信", "系统退信", "無法傳遞",
        "전송 실패", "반송", "delivery report", "smtp error", "returned message", "message you sent",
        "has been blocked", "mail rejected", "notification of delivery failure", "nondelivery",
        "returning to sender", "mail failed", "errors from", "エラー通知", "メールエラー", "error notification",
    ]

    /// Body words of a failure report (lowercased, contained).
    static let failureWords = [
        "could not be delivered", "couldn't be delivered", "wasn't able to deliver", "was not able to deliver",
        "delivery has failed", "permanent error", "permanent fatal error", "user unknown", "unknown user",
        "does not exist", "following address(es) failed", "following addresses had permanent", "undeliverable",
        "undelivered", "delivery to the following recip", "not delivered", "wasn't delivered", "was not delivered",
        "unable to deliver", "could not deliver", "delivery failed", "address not found", "mailbox unavailable",
        "recipient address rejected", "no such user", "message was rejected", "rejected your message",
        "mailbox is full", "over quota", "quota exceeded", "message delivery failed", "failed permanently",
        "returned to sender", "i'm afraid i wasn't able", "delivery to the following recipients failed",
        "the following message to", "your message could not", "message could not be", "has been rejected",
        "rejected by", "did not reach", "failed recipient", "error occurred while", "the email account that you tried",
        "no mailbox here", "invalid recipient", "recipient not found", "mailbox not found", "access denied",
        "message not delivered", "delivery status notification", "unrouteable", "host not found",
        "unknown recipient", "could not be sent", "giving up", "retry timeout exceeded", "too many retries",
        "has failed", "bounced", "failed to deliver", "delivery error", "smtp error", "non-delivery",
        "宛先", "配信できません", "配信できませんでした", "届きませんでした", "送信できませんでした", "存在しません",
        "退信", "无法投递", "投递失败", "無法投遞", "전달되지", "전송되지",
    ]

    /// Body words of a delay warning (lowercased, contained).
    static let delayWords = [
        "will continue trying", "will keep trying", "will be retried", "could not send for", "has not yet been delivered",
        "delivery delayed", "delayed", "not yet been delivered", "will try again", "still trying", "temporary failure",
        "this is only a warning", "warning message only", "you do not need to resend", "still in the queue",
    ]

    static func wording(subject: String, text: Substring) -> Wording {
        var wording = Wording()
        let subjectLower = subject.lowercased()
        let textLower = text.lowercased()
        let strongSubject = strongSubjects.contains { subjectLower.contains($0) }
        wording.isStrong = strongSubject
        let delaySubject = subjectLower.contains("delay") || subjectLower.contains("warning:") || subjectLower.contains("still")
        let delayText = delayWords.contains { textLower.contains($0) }
        // A delay warning mentions failure words ("not yet delivered"), so it only counts as failure with stronger ones.
        let failureText = failureWords.contains { textLower.contains($0) }
        if delaySubject || (delayText && (textLower.contains("will") || textLower.contains("warning"))) {
            wording.isDelay = true
            let permanent = ["permanent", "giving up", "gave up", "have given up", "failed permanently", "user unknown"]
            wording.isFailure = permanent.contains { textLower.contains($0) } && !delaySubject
        } else {
            wording.isFailure = failureText || strongSubject
        }
        return wording
    }
}

/// Failed recipients and their status read from a report's wording.
enum BounceText {
    struct Found: Equatable { let address: String; let status: String?; let diagnostic: String? }

    /// Addresses that are not failed recipients: the report's sender and recipient (that is us), the returned
    /// message's sender and reply address.
    static func excludedAddresses(_ message: ParsedMessage, returned: HeaderBlock?) -> Set<String> {
        var set = Set<String>()
        for name in ["From", "To", "Return-Path", "Reply-To", "Sender", "Errors-To"] {
            for value in message.headers(name) {
                for item in AddressSyntax.splitList(value) { if let a = bareAddress(item) { set.insert(a) } }
            }
        }
        for field in returned?.fields ?? [] where ["from", "sender", "reply-to", "return-path", "errors-to"].contains(field.name.lowercased()) {
            for item in AddressSyntax.splitList(field.value) { if let a = bareAddress(item) { set.insert(a) } }
        }
        return set
    }

    /// Recipients of an Amazon SES bounce notification (JSON with `"notificationType":"Bounce"`).
    static func sesRecipients(in text: String) -> [Found] {
        guard text.contains("\"notificationType\":\"Bounce\""), let start = text.range(of: "\"bouncedRecipients\"") else { return [] }
        let tail = String(text[start.upperBound...].prefix(4000))
        let end = tail.range(of: "]")?.lowerBound ?? tail.endIndex
        let list = String(tail[..<end])
        return list.components(separatedBy: "\"emailAddress\"").dropFirst().compactMap { chunk in
            guard let address = firstAddress(in: String(chunk.prefix(300))) else { return nil }
            let status = chunk.range(of: #"\"status\":\"[245]\.\d+\.\d+"#, options: .regularExpression)
                .map { String(chunk[$0].dropFirst(10)) }
            return Found(address: address, status: status, diagnostic: nil)
        }
    }

    /// `"Name" <a@b.example>` or `a@b.example` → `a@b.example`, lowercased; nil when no address.
    static func bareAddress(_ text: String) -> String? {
        firstAddress(in: text)
    }

    private static let addressPattern = try! NSRegularExpression(
        pattern: #"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"#)
    private static let statusPattern = try! NSRegularExpression(pattern: #"(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.]*\d)"#)
    private static let replyCodePattern = try! NSRegularExpression(pattern: #"(?<![\d.#:/-])([45][0-5]\d)[ -](?=\D)"#)

    static func firstAddress(in text: String) -> String? {
        addresses(in: text).first
    }

    static func addresses(in text: String) -> [String] {
        let ns = text as NSString
        return addressPattern.matches(in: text, range: NSRange(location: 0, length: ns.length)).map {
            var address = ns.substring(with: $0.range).lowercased()
            while address.hasPrefix(".") || address.hasPrefix("'") || address.hasPrefix("=") { address.removeFirst() }
            if address.hasPrefix("mailto:") { address.removeFirst(7) }
            return address
        }
    }

    /// The first enhanced status code in `text`, else one inferred from an SMTP reply code.
    static func status(in text: some StringProtocol) -> String? {
        let string = String(text)
        let ns = string as NSString
        if let match = statusPattern.firstMatch(in: string, range: NSRange(location: 0, length: ns.length)) {
            return ns.substring(with: match.range)
        }
        if let match = replyCodePattern.firstMatch(in: string, range: NSRange(location: 0, length: ns.length)) {
            let code = ns.substring(with: match.range(at: 1))
            return code.hasPrefix("5") ? "5.0.0" : "4.0.0"
        }
        return nil
    }

    static let mailSystemLocalParts: Set<String> = ["mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "root",
                                                    "abuse", "noreply", "no-reply", "bounce", "bounces", "daemon"]

    /// Failed recipients named in the report's text, best evidence first: delivery-status fields, an address
    /// alone on its line or at a line start in brackets (qmail, Sendmail, Postfix, Exim, Exchange), an address
    /// after `RCPT TO:`, an address on a line that speaks of a recipient; else the only address mentioned.
    static func recipients(in text: String, excluding excluded: Set<String>) -> [Found] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var strong: [(String, Int)] = []
        var medium: [(String, Int)] = []
        var weak: [(String, Int)] = []
        let recipientWords = ["recipient", "user unknown", "unknown user", "does not exist", "no such", "mailbox", "address",
                              "delivered to", "delivery to", "deliver to", "failed", "rejected", "undeliverable", "quota",
                              "unknown", "not found", "invalid", "宛先", "受信者", "收件人", "수신"]
        for (index, line) in lines.enumerated() {
            let found = addresses(in: line)
            guard !found.isEmpty else { continue }
            let lower = line.lowercased()
            let trimmed = lower.trimmingCharacters(in: .whitespaces)
            if lower.contains("mail from:") || trimmed.hasPrefix("from:") || trimmed.hasPrefix("sender:")
                || trimmed.hasPrefix("reply-to:") || trimmed.hasPrefix("return-path:") || lower.contains("envelope-from") {
                continue
            }
            for address in found {
                let local = address.split(separator: "@").first.map(String.init) ?? ""
                if excluded.contains(address) || mailSystemLocalParts.contains(local) { continue }
                if trimmed.hasPrefix("final-recipient:") || trimmed.hasPrefix("original-recipient:")
                    || trimmed.hasPrefix("x-failed-recipients:") {
                    strong.append((address, index))
                } else if trimmed.hasPrefix("<\(address)>") || trimmed.hasPrefix(address) && isAlone(trimmed, address)
                            || lower.contains("rcpt to:<\(address)") || lower.contains("rcpt to: <\(address)")
                            || trimmed.hasPrefix("\"\(address)\"") || trimmed.hasPrefix("to: \(address)") || trimmed.hasPrefix("to:<\(address)")
                            || trimmed.hasPrefix("to: <\(address)") || trimmed.hasPrefix("recipient: ")
                            || trimmed.hasPrefix("recipient address: ") || trimmed.hasPrefix("rcpt to:") {
                    strong.append((address, index))
                } else if recipientWords.contains(where: lower.contains) {
                    medium.append((address, index))
                } else {
                    weak.append((address, index))
                }
            }
        }
        var chosen = !strong.isEmpty ? strong : !medium.isEmpty ? medium : []
        if chosen.isEmpty {
            let distinct = Set(weak.map(\.0))
            if distinct.count == 1 { chosen = weak }
        }
        var seen = Set<String>()
        var result: [Found] = []
        var owners: [Int: String] = [:]
        for (address, index) in chosen where owners[index] == nil { owners[index] = address }
        // The remote server's own reply, which Exchange and Microsoft 365 give far below the address, under
        // "Diagnostic information for administrators": it belongs to the one recipient of such a report.
        let remoteReplies = Set(chosen.map(\.0)).count == 1
            ? lines.filter { $0.lowercased().contains("remote server returned") } : []
        for (address, index) in chosen where seen.insert(address).inserted {
            // The recipient's block: from its line to the next recipient's, the returned message (a boundary or a
            // marker line, its first header field), the end of its paragraph past four lines, or twelve lines,
            // whichever comes first.
            var end = index + 1
            while end < lines.count, end < index + 12, owners[end].map({ $0 == address }) ?? true {
                let next = lines[end].trimmingCharacters(in: .whitespaces).lowercased()
                if next.hasPrefix("--") || next.hasPrefix("received:") || next.hasPrefix("return-path:") { break }
                // A blank line past the first four ends the recipient's paragraph: a gateway's footer below it
                // ("scanned for spam and viruses") is not the reason.
                if next.isEmpty && end >= index + 4 { break }
                end += 1
            }
            let block = Array(lines[index..<end]) + remoteReplies
            let window = block.joined(separator: "\n")
            let diagnostic = block.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            result.append(Found(address: address, status: status(in: window), diagnostic: String(diagnostic.prefix(600))))
        }
        return result
    }

    /// Whether `line` (trimmed, lowercased) holds nothing but the address, possibly with punctuation
    /// or an Exchange `<mailto:…>` copy and a short reason after a colon.
    static func isAlone(_ line: String, _ address: String) -> Bool {
        var rest = Substring(line.dropFirst(address.count))
        rest = rest.drop { ":;,.>) \t".contains($0) }
        if rest.isEmpty { return true }
        if rest.hasPrefix("<mailto:") || rest.hasPrefix("(") || rest.hasPrefix("...") { return true }
        return line.hasPrefix(address + ":") || line.hasPrefix(address + " ") && rest.count < 80
    }
}
