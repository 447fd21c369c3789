import Foundation
import SMTP

/// A small RFC 5322 message with CRLF line ends whose body exercises dot-stuffing and 8-bit text.
func testMessage(id: String = "<\(UUID().uuidString)@liaison.test>", from sender: String = "vuls@csirt.test",
                 to recipients: [String], headerTo: String? = nil, body: String? = nil) -> OutgoingMessage
{
    let lines = [
        "From: Example CSIRT <\(sender)>",
        "To: \(headerTo ?? recipients.joined(separator: ", "))",
        "Subject: [JVNVU#12345678] test",
        "Message-ID: \(id)",
        "Date: Tue, 01 Apr 2025 09:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
    ] + (body ?? ".leading dot\r\n..two dots\r\n.\r\nご担当者様\r\n-- \r\nend").components(separatedBy: "\r\n")
    let bytes = Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    return OutgoingMessage(messageID: id, sender: sender, recipients: recipients, bytes: bytes)
}
