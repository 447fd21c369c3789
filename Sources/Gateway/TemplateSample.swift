import Foundation
import Registry

/// Renders every template of a workspace for a sample case, as `liaison doctor` does before anything is sent.
public enum TemplateSample {
    /// The values a notification of a case opened without `--due` would carry, plus those the reminder policy
    /// (`escalation.*`) and `incident notify` (`incident.*`) add.
    static func context(settings: GatewaySettings) -> TemplateValue {
        let sample = CaseRecord(id: "JVNVU#00000000", title: "Sample vulnerability", origin: "jvn-jp",
                                openedAt: Date(), tlp: settings.defaultTLP)
        var context: TemplateValue = [
            "sender": ["name": .string(settings.sender.displayName ?? settings.sender.address), "address": .string(settings.sender.address),
                       "organizationName": "Example CSIRT", "organizationLocalName": "Example CSIRT",
                       "organizationShortName": "CSIRT", "fingerprint": "0123 4567 89AB CDEF"],
            "organization": ["id": "sample-vendor", "name": "Sample Vendor Inc.", "localName": "サンプル株式会社", "country": "JP"],
            "tracking": "[LSN-SAMPLE00]",
            "recipients": [["email": "psirt@vendor.example", "name": "PSIRT"]],
            "escalation": ["organizationName": "Sample Vendor Inc.", "organizationLocalName": "サンプル株式会社", "days": "42"],
            "incident": ["category": "scan", "categoryLabel": "scan", "summary": "Port scans from 192.0.2.0/24"],
            // The link is rendered wherever a template has it, so its section is checked too.
            "answer": ["url": .string("\(settings.answer.baseURL ?? "https://csirt.example")/answer/SAMPLE-TOKEN")],
        ]
        context.set(CaseTemplateContext.value(of: sample, in: settings.timeZone, defaultLevel: settings.defaultTLP), at: ["case"])
        context.set(.string(ZoneLabel.day(of: Date(), in: settings.timeZone)), at: ["case", "notifiedOn"])
        return context
    }

    /// Every problem of every template in every language, one line each (empty when all render); the names of
    /// the templates checked, as `vendor-initial.ja`.
    public static func check(_ library: TemplateLibrary, settings: GatewaySettings) -> (checked: [String], problems: [String]) {
        let context = context(settings: settings)
        var checked: [String] = []
        var problems: [String] = []
        for name in library.names {
            for language in library.languages(of: name) {
                guard let template = try? library.template(named: name, preferring: [language]) else { continue }
                checked.append("\(name).\(language)")
                problems += library.problems(in: template, context: context)
            }
        }
        return (checked, problems)
    }
}
