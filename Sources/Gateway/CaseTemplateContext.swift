import Foundation
import Registry

/// What templates see of a case (`case.*`), and the TLP label every case message carries.
enum CaseTemplateContext {
    /// `case.id`, `title`, `origin`, `opened`, `due` (only when set: test it with `{{#case.due}}`),
    /// `publishedOn`, `url` (the advisory, once published with `--url`), `tlp`; every date is a day in the workspace
    /// zone followed by the zone, `2007-10-15 (JST)`. `title` is the title of every language but Japanese;
    /// `localizedTitles` gives each message its own.
    static func value(of record: CaseRecord, in zone: TimeZone, defaultLevel: TrafficLightProtocol) -> TemplateValue {
        var value: TemplateValue = ["id": .string(record.id), "title": .string(record.title), "origin": .string(record.origin),
                                    "opened": .string(ZoneLabel.day(of: record.openedAt, in: zone)),
                                    "tlp": .string((record.tlp ?? defaultLevel).label)]
        if let due = record.due { value.set(.string(ZoneLabel.day(due.description, in: zone)), at: ["due"]) }
        if let published = record.publishedAt { value.set(.string(ZoneLabel.day(of: published, in: zone)), at: ["publishedOn"]) }
        if let url = record.advisoryURL { value.set(.string(url), at: ["url"]) }
        return value
    }

    /// `case.title` per template language, where the case has a title of that language (`--title-ja`).
    static func localizedTitles(of record: CaseRecord) -> [String: [String: String]] {
        record.titleJa.map { ["ja": ["case.title": $0]] } ?? [:]
    }

    /// The label once at the start of the subject and alone on the body's first line, in its original form
    /// (TLP 2.0: never translated). Templates do not write it themselves, so it appears exactly once.
    static func labelled(_ message: RenderedMessage, tlp: TrafficLightProtocol?) -> RenderedMessage {
        guard let tlp else { return message }
        return RenderedMessage(subject: "[\(tlp.label)] \(message.subject)", body: "\(tlp.label)\n\n\(message.body)")
    }
}
