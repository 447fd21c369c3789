import Foundation

/// The report arranged for reading: sections of labelled rows and lists, in the order every renderer but JSON
/// follows, with labels in one language.
struct ReportLayout {
    struct Row {
        /// Stable path of the figure within its section (as in the JSON), such as `byPurpose.reminder`.
        var key: String
        var label: String
        /// 0 for a figure, 1 for a part of a breakdown.
        var level: Int
        /// Nil for a heading that introduces a breakdown.
        var figure: Figure?
        /// The running total shown beside the quarter's count, `43 (total 708)`.
        var total: Figure?
        /// Shown after the value, such as `(4 of 7)`.
        var detail: String?
        /// For a heading, what its breakdown splits.
        var headingDefinition: String?
        /// A part of a breakdown, whose definition follows its heading's pattern.
        var isBreakdownPart = false
    }

    struct Table {
        var key: String
        var title: String
        var columns: [String]
        /// Columns holding numbers, aligned right.
        var numericColumns: Set<Int>
        var rows: [[String]]
        /// How many more the figure counted than are listed.
        var more: Int
    }

    struct Section {
        var key: String
        var title: String
        var rows: [Row]
        var tables: [Table]
    }

    let report: QuarterReport
    let language: ReportLanguage
    let sections: [Section]

    init(_ report: QuarterReport, _ language: ReportLanguage) {
        self.report = report
        self.language = language
        let l = { (label: ReportLabel) in label.text(language) }
        let sections = [
            Self.notifications(report.notifications, l),
            Self.coordination(report.coordination, language, l, zone: report.period.timeZone),
            Self.directory(report.directory, language, l, zone: report.period.timeZone),
        ]
        self.sections = language == .ja ? sections.map(JapaneseDefinitions.translate) : sections
    }

    // MARK: Header lines

    func text(_ label: ReportLabel) -> String { label.text(language) }

    var title: String { "\(text(.title)) \(report.quarter)" }

    /// An instant as this page shows it (in the report's zone on a Japanese page).
    func instant(_ date: Date) -> String { ReportFormatting.instant(date, language, zone: report.period.timeZone) }

    var periodLine: String {
        let p = report.period
        var line = "\(text(.period)): \(p.firstDay) – \(p.lastDay) (\(text(.timeZone)) \(p.timeZone); "
            + "\(instant(p.start)) – \(instant(p.end)))"
        if !p.complete {
            line += " " + text(.incomplete).replacingOccurrences(of: "%@", with: instant(p.countedTo))
        }
        return line
    }

    var generatedLine: String {
        var line = "\(text(.generated)): \(instant(report.generatedAt))"
        if let other = report.comparedTo { line += " · \(text(.comparedWith)): \(other)" }
        return line
    }

    var logLine: String {
        let log = report.integrity.eventLog
        let line: String
        switch log.verified {
        case true?: line = text(.logIntact).replacingOccurrences(of: "%d", with: "\(log.eventCount ?? 0)")
        case false?: line = text(.logBroken).replacingOccurrences(of: "%d", with: "\(log.eventCount ?? 0)")
        case nil: return text(.logNotVerified)
        }
        return line + " · " + (log.latestSeal.map { "\(text(.latestSeal)): \(sealSummary($0))" } ?? text(.noSeal))
    }

    /// The seal's one line (`AuditSeal.summary`: `42 events, head 3f2a…, sealed 2026-11-30T18:20:00Z by FPR`) in
    /// the report's language; the hash, time and fingerprint as written.
    func sealSummary(_ summary: String) -> String {
        guard language == .ja else { return summary }
        let words = summary.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 8, let count = Int(words[0]), words[1].hasPrefix("event"), words[2] == "head",
              words[3].hasSuffix(","), words[4] == "sealed", words[6] == "by" else { return summary }
        return "\(count) 件、ヘッド \(words[3].dropLast())、\(words[5]) に \(words[7]) の鍵で署名"
    }

    /// What the recount counted, in the report's language.
    var recountDefinition: String {
        language == .ja ? JapaneseDefinitions.recount : report.integrity.recount.definition
    }

    /// A chart's definition (`notificationsSent`, `publishedByOrigin`, `registeredDevelopers`) in the report's language.
    func chartDefinition(_ chart: String, _ english: String) -> String {
        language == .ja ? JapaneseDefinitions.charts[chart] ?? english : english
    }

    /// The figures on which the tables and the recount differ, one line each, in the report's language:
    /// `opened.byOrigin.jvn-jp.inQuarter: tables 1, event log 2` (the figure's path stays as in the JSON).
    var recountDifferences: [String] {
        let lines = report.integrity.recount.differences
        guard language == .ja else { return lines }
        return lines.map { line in
            if line.hasPrefix("event log: "), line.hasSuffix(" events without a readable date") {
                let count = line.dropFirst("event log: ".count).dropLast(" events without a readable date".count)
                return "イベントログ: 日時を読めないイベント \(count) 件"
            }
            guard let colon = line.range(of: ": tables ", options: .backwards),
                  let comma = line.range(of: ", event log ", range: colon.upperBound..<line.endIndex) else { return line }
            return "\(line[..<colon.lowerBound]): 表 \(line[colon.upperBound..<comma.lowerBound])、イベントログ \(line[comma.upperBound...])"
        }
    }

    var recountLine: String {
        report.integrity.recount.agrees ? text(.recountAgrees) : text(.recountDiffers)
    }

    func andMore(_ count: Int) -> String {
        text(.andMore).replacingOccurrences(of: "%d", with: "\(count)")
    }

    // MARK: Values

    func value(_ row: Row) -> String {
        guard let figure = row.figure else { return "" }
        var text = ReportFormatting.value(figure.value)
        if let total = row.total { text += " (\(self.text(.total)) \(ReportFormatting.value(total.value)))" }
        if let detail = row.detail { text += " \(detail)" }
        return text
    }

    /// The other quarter's value, as shown: `3` or `1 (total 1)`; empty when not compared.
    func compareValue(_ row: Row) -> String {
        guard let compare = row.figure?.compare else { return "" }
        var text = ReportFormatting.value(compare.value)
        if let total = row.total?.compare { text += " (\(self.text(.total)) \(ReportFormatting.value(total.value)))" }
        return text
    }

    /// The change, as shown: `+11 (+366.7%)`; empty when not compared.
    func change(_ row: Row) -> String {
        guard let compare = row.figure?.compare else { return "" }
        var text = ReportFormatting.change(compare)
        if let total = row.total?.compare { text += "; \(self.text(.total)) \(ReportFormatting.change(total))" }
        return text
    }

    // MARK: Sections

    private static func breakdown(_ key: String, _ figures: [String: Figure], order: [String],
                                  byValue: Bool = false, label: (String) -> String) -> [Row] {
        let known = order.filter { figures[$0] != nil }
        var rest = figures.keys.filter { !order.contains($0) }.sorted()
        if byValue {
            rest.sort { (figures[$0]!.count, $1) > (figures[$1]!.count, $0) }
        }
        return (known + rest).map {
            Row(key: "\(key).\($0)", label: label($0), level: 1, figure: figures[$0], isBreakdownPart: true)
        }
    }

    private static func heading(_ key: String, _ label: String, _ definition: String) -> Row {
        Row(key: key, label: label, level: 0, headingDefinition: definition)
    }

    private static func notifications(_ n: NotificationFigures, _ l: (ReportLabel) -> String) -> Section {
        var rows = [Row(key: "sent", label: l(.sent), level: 0, figure: n.sent)]
        rows.append(heading("byPurpose", l(.byPurpose), "Messages sent in the quarter, split by the purpose recorded on each."))
        rows += breakdown("byPurpose", n.byPurpose, order: NotificationCounts.purposes) { l(.purpose($0)) }
        rows.append(heading("incidentsByCategory", l(.incidentsByCategory),
                            "Incident notices sent in the quarter, split by their category."))
        rows += breakdown("incidentsByCategory", n.incidentsByCategory, order: NotificationCounts.incidentCategories) {
            l(.category($0))
        }
        rows.append(heading("byRecipientKind", l(.byRecipientKind),
                            "Messages sent in the quarter, split by the kind of the recipient organisation."))
        rows += breakdown("byRecipientKind", n.byRecipientKind, order: NotificationCounts.organizationKinds) { l(.kind($0)) }
        rows.append(heading("byRecipientCountry", l(.byRecipientCountry),
                            "Messages sent in the quarter, split by the country of the recipient organisation."))
        rows += breakdown("byRecipientCountry", n.byRecipientCountry, order: [], byValue: true) { $0 }
        rows.append(heading("delivery", l(.delivery), "What became of the messages of the quarter."))
        rows += [
            Row(key: "delivery.sent", label: l(.deliverySent), level: 1, figure: n.delivery.sent),
            Row(key: "delivery.deferredAtQuarterEnd", label: l(.deferredAtQuarterEnd), level: 1,
                figure: n.delivery.deferredAtQuarterEnd),
            Row(key: "delivery.failed", label: l(.failed), level: 1, figure: n.delivery.failed),
            Row(key: "delivery.bounced", label: l(.bounced), level: 1, figure: n.delivery.bounced),
            Row(key: "delivery.voided", label: l(.voided), level: 1, figure: n.delivery.voided),
            Row(key: "delivery.ourDeliveryProblems", label: l(.ourDeliveryProblems), level: 1,
                figure: n.delivery.ourDeliveryProblems),
        ]
        return Section(key: "notifications", title: l(.notifications), rows: rows, tables: [])
    }

    private static func coordination(_ c: CoordinationFigures, _ language: ReportLanguage,
                                     _ l: (ReportLabel) -> String, zone: String) -> Section {
        func origins(_ key: String, _ label: String, _ counts: CoordinationFigures.ByOrigin) -> [Row] {
            let order = CoordinationCounts.knownOrigins.filter { counts.byOrigin[$0] != nil }
                + counts.byOrigin.keys.filter { !CoordinationCounts.knownOrigins.contains($0) }.sorted()
            return [Row(key: "\(key).all", label: label, level: 0, figure: counts.all.inQuarter, total: counts.all.cumulative)]
                + order.map { origin in
                    Row(key: "\(key).byOrigin.\(origin)", label: ReportLabel.origin(origin), level: 1,
                        figure: counts.byOrigin[origin]!.inQuarter, total: counts.byOrigin[origin]!.cumulative,
                        isBreakdownPart: true)
                }
        }
        var rows = origins("published", l(.published), c.published)
        rows += origins("opened", l(.opened), c.opened)
        rows += [
            Row(key: "organizationsNotified", label: l(.organizationsNotified), level: 0, figure: c.organizationsNotified),
            Row(key: "participantsNotified", label: l(.participantsNotified), level: 0, figure: c.participantsNotified),
            Row(key: "participantsResponded", label: l(.participantsResponded), level: 1, figure: c.participantsResponded),
            Row(key: "responseRate", label: l(.responseRate), level: 0, figure: c.responseRate,
                detail: "(\(ReportFormatting.part(c.participantsResponded.count, of: c.participantsNotified.count, language)))"),
            Row(key: "medianDaysToFirstResponse", label: l(.medianDays), level: 0, figure: c.medianDaysToFirstResponse),
            Row(key: "p90DaysToFirstResponse", label: l(.p90Days), level: 0, figure: c.p90DaysToFirstResponse),
            Row(key: "awaitingResponse", label: l(.awaitingResponse), level: 0, figure: c.awaitingResponse.figure),
            Row(key: "withdrawn", label: l(.withdrawn), level: 0, figure: c.withdrawn.figure,
                detail: c.withdrawn.items.isEmpty ? nil : "(" + c.withdrawn.items.joined(separator: ", ")
                    + (c.withdrawn.figure.count > c.withdrawn.items.count ? ", …" : "") + ")"),
        ]
        let name = { (name: String, local: String?) in language == .ja ? local ?? name : name }
        let awaiting = Table(
            key: "awaitingResponse", title: l(.awaitingResponse),
            columns: [l(.caseColumn), l(.tlpColumn), l(.organizationColumn), l(.firstNotifiedColumn), l(.daysColumn)],
            numericColumns: [4],
            rows: c.awaitingResponse.items.map {
                [$0.caseId, $0.tlp, name($0.organizationName, $0.organizationLocalName),
                 ReportFormatting.instant($0.firstNotifiedAt, language, zone: zone), String(format: "%.1f", $0.days)]
            },
            more: c.awaitingResponse.figure.count - c.awaitingResponse.items.count)
        return Section(key: "coordination", title: l(.coordination), rows: rows, tables: [awaiting])
    }

    private static func directory(_ d: DirectoryFigures, _ language: ReportLanguage, _ l: (ReportLabel) -> String,
                                  zone: String) -> Section {
        let name = { (name: String, local: String?) in language == .ja ? local ?? name : name }
        var rows = [
            Row(key: "registeredDevelopers", label: l(.registeredDevelopers), level: 0, figure: d.registeredDevelopers),
            Row(key: "newDevelopers", label: l(.newDevelopers), level: 1, figure: d.newDevelopers),
            Row(key: "apcertMembers", label: l(.apcertMembers), level: 0, figure: d.apcertMembers),
            Row(key: "nationalCSIRTPartners", label: l(.nationalCSIRTPartners), level: 0, figure: d.nationalCSIRTPartners),
            Row(key: "mouSigned", label: l(.mouSigned), level: 0, figure: d.mouSigned.figure),
            Row(key: "otherAgreementsSigned", label: l(.otherAgreementsSigned), level: 0, figure: d.otherAgreementsSigned.figure),
            Row(key: "keyProblems", label: l(.keyProblems), level: 0, figure: d.keyProblems.figure),
        ]
        rows += breakdown("keyProblemsByKind", d.keyProblemsByKind, order: DirectoryCounts.keyProblemKinds) {
            l(.keyProblem($0))
        }
        rows.append(Row(key: "bouncedAddresses", label: l(.bouncedAddresses), level: 0, figure: d.bouncedAddresses.figure))

        let agreementColumns = [l(.organizationColumn), l(.kindColumn), l(.signedColumn)]
        func agreements(_ key: String, _ label: ReportLabel, _ listed: ListedFigure<SignedAgreement>) -> Table {
            Table(key: key, title: l(label), columns: agreementColumns, numericColumns: [],
                  rows: listed.items.map { [name($0.organizationName, $0.organizationLocalName), l(.agreementKind($0.kind)), $0.signed] },
                  more: listed.figure.count - listed.items.count)
        }
        let tables = [
            agreements("mouSigned", .mouSigned, d.mouSigned),
            agreements("otherAgreementsSigned", .otherAgreementsSigned, d.otherAgreementsSigned),
            Table(key: "keyProblems", title: l(.keyProblems),
                  columns: [l(.addressColumn), l(.organizationColumn), l(.fingerprintColumn), l(.problemColumn),
                            l(.expiresColumn)],
                  numericColumns: [],
                  rows: d.keyProblems.items.map {
                      [$0.email, $0.organizationId, $0.fingerprint, l(.keyProblem($0.problem)),
                       $0.expiresAt.map { ReportFormatting.instant($0, language, zone: zone) } ?? ""]
                  },
                  more: d.keyProblems.figure.count - d.keyProblems.items.count),
            Table(key: "bouncedAddresses", title: l(.bouncedAddresses),
                  columns: [l(.addressColumn), l(.organizationColumn)], numericColumns: [],
                  rows: d.bouncedAddresses.items.map { [$0.email, $0.organizationId ?? ""] },
                  more: d.bouncedAddresses.figure.count - d.bouncedAddresses.items.count),
        ]
        return Section(key: "directory", title: l(.directory), rows: rows, tables: tables)
    }
}
