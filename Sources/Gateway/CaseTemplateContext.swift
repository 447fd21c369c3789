import Foundation
import Registry

/// What templates see of a case (`case.*`), and the TLP label every case message carries.
enum CaseTemplateContext {
    /// `case.id`, `title`, `origin`, `opened`, `due` (only when set: test it with `{{#case.due}}`),
    /// `publishedOn`, `tlp`; every date is a day in the workspace zone followed by the zone, `2007-10-15 (JST)`.
    static func value(of record: CaseRecord, in zone: TimeZone, defaultLevel: TrafficLightProtocol) -> TemplateValue {
        var value: TemplateValue = ["id": .string(record.id), "title": .string(record.title), "origin": .string(record.origin),
                                    "opened": .string(ZoneLabel.day(of: record.openedAt, in: zone)),
                                    "tlp": .string((record.tlp ?? defaultLevel).label)]
        if let due = record.due { value.set(.string(ZoneLabel.day(due, in: zone)), at: ["due"]) }
        if let published = record.publishedAt { value.set(.string(ZoneLabel.day(of: published, in: zone)), at: ["publishedOn"]) }
        return value
    }

    /// The label once at the start of the subject and alone on the body's first line, in its original form
    /// (TLP 2.0: never translated). Templates do not write it themselves, so it appears exactly once.
    static func labelled(_ message: RenderedMessage, tlp: TrafficLightProtocol?) -> RenderedMessage {
        guard let tlp else { return message }
        return RenderedMessage(subject: "[\(tlp.label)] \(message.subject)", body: "\(tlp.label)\n\n\(message.body)")
    }
}
