/// The definitions of the report's figures in Japanese, for `--lang ja`, keyed by the figure's stable path
/// (`notifications.byPurpose.reminder`), so a Japanese page says in plain Japanese what each number counts.
/// JSON stays English: its definitions and precise rules document the stable format.
enum JapaneseDefinitions {
    /// The Japanese definition of the figure at `section.key`, in plain words for a reader (the precise rule stays in
    /// the JSON's `rule`); `total` for the running total beside it. Nil when there is none (the English one is shown).
    static func definition(section: String, key: String, total: Bool = false) -> String? {
        let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
        switch (section, parts.first ?? "") {
        case ("coordination", let what) where what == "published" || what == "opened":
            let verb = what == "published" ? "公表した" : "受け付けた"
            let whose = parts.count == 3 && parts[1] == "byOrigin" ? "\(ReportLabel.origin(parts[2])) 経由で" : ""
            return total ? "\(whose)記録の始まりから四半期末までに\(verb)案件 (総計)。" : "\(whose)四半期内に\(verb)案件。"
        case ("notifications", "byPurpose") where parts.count > 1:
            return "四半期内に送ったメッセージのうち、\(ReportLabel.purpose(parts[1]).text(.ja)) のもの。"
        case ("notifications", "incidentsByCategory") where parts.count > 1:
            return parts[1] == "none" ? "四半期内に送ったインシデント通知のうち、タイプの記録がないもの。"
                : "四半期内に送ったインシデント通知のうち、タイプが \(ReportLabel.category(parts[1]).text(.ja)) のもの。"
        case ("notifications", "byRecipientKind") where parts.count > 1:
            return "四半期内に送ったメッセージのうち、送付先が \(ReportLabel.kind(parts[1]).text(.ja)) のもの。"
        case ("notifications", "byRecipientCountry") where parts.count > 1:
            return "四半期内に送ったメッセージのうち、送付先の国・地域が \(parts[1]) のもの。"
        case ("directory", "keyProblemsByKind") where parts.count > 1:
            switch parts[1] {
            case "missing": return "PGP 鍵が手元にない連絡先。"
            case "expired": return "PGP 鍵の有効期限が四半期末より前に切れた連絡先。"
            case "expiring": return "PGP 鍵の有効期限が四半期末から \(DirectoryCounts.keyWarningDays) 日以内に切れる連絡先。"
            case "revoked": return "PGP 鍵が失効している連絡先。"
            default: return "鍵の問題 '\(parts[1])' がある連絡先。"
            }
        default:
            return fixed["\(section).\(key)"]
        }
    }

    /// What the recount line of the integrity section says.
    static let recount = "同じ値を、改ざんを検知できる監査ログ (イベントログ) から数え直したもの: 四半期内に送信を記録したメッセージ "
        + "(各 1 回) と、各案件の受付・公表の記録。"

    /// The charts' definitions, by chart: notifications sent, cases published, registered developers.
    static let charts = [
        "notificationsSent": "各四半期に送ったメッセージの数。",
        "publishedByOrigin": "各四半期に公表した案件、報告元別。",
        "registeredDevelopers": "各四半期末時点で登録されている製品開発者の数。",
    ]

    private static let notified = "四半期内に初めて案件を通知した開発者 (案件ごとに数える)"

    private static let fixed: [String: String] = [
        "notifications.sent": "四半期内に送ったメッセージ。宛先が何人でも、1 組織への 1 通を 1 件と数える。",
        "notifications.byPurpose": "四半期内に送ったメッセージを、目的別に数えたもの。",
        "notifications.incidentsByCategory": "四半期内に送ったインシデント通知を、タイプ別に数えたもの。",
        "notifications.byRecipientKind": "四半期内に送ったメッセージを、送付先組織の種別ごとに数えたもの。",
        "notifications.byRecipientCountry": "四半期内に送ったメッセージを、送付先組織の国・地域ごとに数えたもの。",
        "notifications.delivery": "四半期のメッセージがどうなったか。",
        "notifications.delivery.sent": "四半期内に送ったメッセージ。宛先が何人でも、1 組織への 1 通を 1 件と数える。",
        "notifications.delivery.voided": "四半期内に作成し、当方の送信障害 (中継サーバや設定の誤り) または案件の取り下げのため取り消したメッセージ。送信済みにも送信失敗にも数えず、そのバウンスも送付先のアドレスの不達に数えない。",
        "coordination.withdrawn": "誤って登録し、取り下げた案件。これらの案件とその開発者は、ほかの案件の集計から除く。",
        "notifications.delivery.deferredAtQuarterEnd": "四半期末より前に作成し、四半期末までに送り終えていなかったメッセージ (送信待ち・再送待ち、または四半期後に送ったもの)。",
        "notifications.delivery.failed": "四半期内に作成し、届けられなかったメッセージ (恒久的に拒否された、または再送の上限に達した)。",
        "notifications.delivery.bounced": "四半期内に、送付先のメールサーバから配送できなかったと報告されたメッセージ (各メッセージ 1 件)。",
        "coordination.organizationsNotified": "四半期内に、少なくとも 1 件の案件を初めて通知した組織の数。",
        "coordination.participantsNotified": "\(notified)。2 件の案件に関わる開発者は 2 と数える。",
        "coordination.participantsResponded": "そのうち、四半期末までに回答があったもの。",
        "coordination.responseRate": "\(notified) のうち、四半期末までに回答があったものの割合 (通知がなければ空欄)。",
        "coordination.medianDaysToFirstResponse": "四半期内に届いた最初の回答について、通知から回答までにかかった日数の中央値 (半数はこれより早く回答)。",
        "coordination.p90DaysToFirstResponse": "四半期内に届いた最初の回答の 9 割が、通知から何日以内に届いたか。",
        "coordination.awaitingResponse": "四半期末より前に通知し、四半期末 (四半期の途中なら現在) までに回答のない開発者。待ち日数の長い \(QuarterReport.listLimit) 件を日数とともに掲載。",
        "directory.registeredDevelopers": "四半期末日に登録されている製品開発者の数。",
        "directory.newDevelopers": "そのうち、前四半期末には登録されていなかったもの。",
        "directory.apcertMembers": "四半期末日に APCERT の加盟チームだった組織の数。",
        "directory.nationalCSIRTPartners": "四半期末日に連携していた各国の CSIRT (活動中、または覚書 (MoU) を締結しているもの)。",
        "directory.mouSigned": "四半期内に締結した覚書 (MoU)。",
        "directory.otherAgreementsSigned": "四半期内に締結したその他の合意 (製品開発者の登録など)。",
        "directory.keyProblems": "PGP 鍵が使えない連絡先: 鍵がない、失効している、期限切れ、または四半期末から \(DirectoryCounts.keyWarningDays) 日以内に期限が切れるもの。",
        "directory.bouncedAddresses": "四半期内にメールを届けられなかったアドレス (各アドレス 1 件)。",
        "notifications.delivery.ourDeliveryProblems": "四半期内に受け取った不達通知のうち、原因が当方のメッセージやドメインにあるもの (大きすぎる、SPF・DKIM・DMARC、内容による拒否、当方の中継サーバの拒否)。送付先の不達には数えない。",
    ]

    /// The layout's rows with their definitions in Japanese wherever one is known.
    static func translate(_ section: ReportLayout.Section) -> ReportLayout.Section {
        var section = section
        section.rows = section.rows.map { row in
            var row = row
            let key = row.key.hasSuffix(".all") ? String(row.key.dropLast(4)) : row.key
            if let text = definition(section: section.key, key: key) {
                if row.figure != nil { row.figure?.definition = text } else { row.headingDefinition = text }
            }
            if row.total != nil, let text = definition(section: section.key, key: key, total: true) {
                row.total?.definition = text
            }
            return row
        }
        return section
    }
}
