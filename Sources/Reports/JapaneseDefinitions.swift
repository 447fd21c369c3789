/// The definitions of the report's figures in Japanese, for `--lang ja`, keyed by the figure's stable path
/// (`notifications.byPurpose.reminder`), so a Japanese page says in Japanese what each number counts.
/// JSON stays English: its definitions document the stable format.
enum JapaneseDefinitions {
    /// The Japanese definition of the figure at `section.key`; `total` for the running total beside it.
    /// Nil when there is none (the English one is shown).
    static func definition(section: String, key: String, total: Bool = false) -> String? {
        let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
        switch (section, parts.first ?? "") {
        case ("coordination", let what) where what == "published" || what == "opened":
            let column = what == "published" ? "公表日 (publishedAt)" : "受付日 (openedAt)"
            let whose = parts.count == 3 && parts[1] == "byOrigin" ? "報告元 (origin) が \(parts[2]) で、" : ""
            return total ? "\(whose)\(column) が四半期末より前の案件 (全期間の総計)。" : "\(whose)\(column) が四半期内の案件。"
        case ("notifications", "byPurpose") where parts.count > 1:
            return "四半期内に送信したメッセージのうち、目的 (purpose) が '\(parts[1])' のもの。"
        case ("notifications", "incidentsByCategory") where parts.count > 1:
            return parts[1] == "none" ? "四半期内に送信したインシデント通知 (目的 'incident') のうち、タイプの記録がないもの。"
                : "四半期内に送信したインシデント通知 (目的 'incident') のうち、タイプが '\(parts[1])' のもの。"
        case ("notifications", "byRecipientKind") where parts.count > 1:
            return "四半期内に送信したメッセージのうち、送付先組織の種別が '\(parts[1])' のもの。"
        case ("notifications", "byRecipientCountry") where parts.count > 1:
            return "四半期内に送信したメッセージのうち、送付先組織の国・地域が \(parts[1]) のもの。"
        case ("directory", "keyProblemsByKind") where parts.count > 1:
            switch parts[1] {
            case "missing": return "PGP フィンガープリントが登録されているが、鍵が鍵テーブルにない有効な連絡先。"
            case "expired": return "鍵の有効期限が四半期末より前に切れている (失効していない) 有効な連絡先。"
            case "expiring": return "鍵の有効期限が四半期末から \(DirectoryCounts.keyWarningDays) 日以内に切れる (失効していない) 有効な連絡先。"
            case "revoked": return "鍵が失効 (revoked) している有効な連絡先。"
            default: return "鍵の問題 '\(parts[1])' がある有効な連絡先。"
            }
        default:
            return fixed["\(section).\(key)"]
        }
    }

    /// What the recount line of the integrity section says.
    static let recount = "同じ値をイベントログから再計算したもの: data.at が四半期内の notification.sent イベント (各メッセージ 1 回) と、"
        + "各案件の最新の case.opened / case.published イベント。"

    /// The charts' definitions, by chart: notifications sent, cases published, registered developers.
    static let charts = [
        "notificationsSent": "各四半期に送信したメッセージ (state が 'sent' で sentAt が四半期内の notification 行)。",
        "publishedByOrigin": "各四半期に公表した案件 (publishedAt が四半期内)、報告元別。",
        "registeredDevelopers": "各四半期末日時点の登録製品開発者数 (ディレクトリの項目と同じ定義)。",
    ]

    private static let notified = "初回通知日 (firstNotifiedAt) が四半期内の参加者 (案件×組織)"

    private static let fixed: [String: String] = [
        "notifications.sent": "state が 'sent' で sentAt が四半期内の送信メッセージ (notification 行)。宛先がいくつあっても、1 組織への 1 通を 1 件と数える。",
        "notifications.byPurpose": "四半期内に送信したメッセージを、記録された目的 (purpose) 別に数えたもの。",
        "notifications.incidentsByCategory": "四半期内に送信したインシデント通知を、タイプ別に数えたもの。",
        "notifications.byRecipientKind": "四半期内に送信したメッセージを、送付先組織の種別ごとに数えたもの。",
        "notifications.byRecipientCountry": "四半期内に送信したメッセージを、送付先組織の国・地域ごとに数えたもの。",
        "notifications.delivery": "四半期のメッセージの配送結果。",
        "notifications.delivery.sent": "state が 'sent' で sentAt が四半期内の送信メッセージ (notification 行)。宛先がいくつあっても、1 組織への 1 通を 1 件と数える。",
        "notifications.delivery.deferredAtQuarterEnd": "四半期末より前に作成され、失敗しておらず、その時点で未送信のメッセージ (現在 queued・sending・deferred のもの、または四半期末より後に送信されたもの)。",
        "notifications.delivery.failed": "四半期内に作成され、現在 state が 'failed' (恒久的なエラー、または再試行回数の上限) のメッセージ。",
        "notifications.delivery.bounced": "四半期内に不達となったメッセージ: 'bounced' と記録された宛先 (updatedAt が四半期内) があるもの、または四半期内に受信した不達通知の対象。各メッセージは 1 件、照合できない不達通知はそれぞれ 1 件と数える。",
        "notifications.delivery.ourDeliveryProblems": "四半期内に受信した不達通知のうち、当方のメッセージまたはドメインに原因があるもの (サイズ超過、SPF・DKIM・DMARC、内容による拒否、当方リレーの中継拒否)。ベンダーの不達には数えない。",
        "coordination.organizationsNotified": "\(notified) のうち、異なる組織の数。",
        "coordination.participantsNotified": "\(notified)。",
        "coordination.participantsResponded": "\(notified) のうち、初回回答日 (firstResponseAt) が四半期末より前のもの。",
        "coordination.responseRate": "\(notified) のうち、四半期末までに初回回答があったものの割合 (通知がなければ値なし)。",
        "coordination.medianDaysToFirstResponse": "初回回答日 (firstResponseAt) が四半期内の参加者について、初回通知から初回回答までの日数の中央値 (通知より前の回答は 0 日、該当がなければ値なし)。",
        "coordination.p90DaysToFirstResponse": "初回回答日 (firstResponseAt) が四半期内の参加者について、初回通知から初回回答までの日数の 90 パーセンタイル (最も近い順位の間を線形補間、該当がなければ値なし)。",
        "coordination.awaitingResponse": "初回通知日が四半期末より前で、その時点までに初回回答のない参加者。待ち日数の長い \(QuarterReport.listLimit) 件を、初回通知から四半期末までの日数とともに掲載。",
        "directory.registeredDevelopers": "種別が 'product-developer' で、四半期末日までに締結され、その時点で終了していない 'developer-registration' 合意を持つ組織。",
        "directory.newDevelopers": "四半期末日時点の登録製品開発者 (上記) のうち、前四半期末日には登録されていなかったもの。",
        "directory.apcertMembers": "APCERT の加盟 (since が四半期末日以前または記録なし、until が空またはそれより後) がある組織。",
        "directory.nationalCSIRTPartners": "種別が 'national-csirt' で、四半期末日時点で有効 (status が active、またはそれより後に retired) な組織、またはその時点までに締結し終了していない覚書 (MoU) を持つ組織。",
        "directory.mouSigned": "種別 'mou' の合意のうち、四半期の初日から末日までに締結されたもの。",
        "directory.otherAgreementsSigned": "その他の種別 (developer-registration など) の合意のうち、四半期の初日から末日までに締結されたもの。",
        "directory.keyProblems": "PGP フィンガープリントが登録された有効な連絡先のうち、鍵が鍵テーブルにない、失効している、または四半期末から \(DirectoryCounts.keyWarningDays) 日以内に有効期限が切れるもの (期限切れを含む)。",
        "directory.bouncedAddresses": "updatedAt が四半期内で 'bounced' と記録された宛先のアドレス、または lastBounceAt が四半期内の連絡先のアドレス (大文字小文字を区別せず重複を除く)。",
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
