/// Every label a rendered report shows, in English and Japanese.
enum ReportLabel: Sendable {
    case title, period, timeZone, generated, comparedWith, figureColumn, valueColumn, changeColumn, definitionColumn
    case csvSection, csvFigure, csvValue, csvCompare, csvDefinition
    case total, andMore, quarterAxis
    case notifications, coordination, directory, integrity, charts, definitions
    case sent, byPurpose, byRecipientKind, byRecipientCountry, incidentsByCategory, delivery
    case deliverySent, deferredAtQuarterEnd, failed, bounced, voided, withdrawn, incomplete, ourDeliveryProblems
    case opened, published, organizationsNotified, participantsNotified, participantsResponded, responseRate
    case medianDays, p90Days, awaitingResponse
    case caseColumn, tlpColumn, organizationColumn, firstNotifiedColumn, daysColumn, addressColumn, fingerprintColumn
    case problemColumn, signedColumn, kindColumn, expiresColumn
    case registeredDevelopers, newDevelopers, apcertMembers, nationalCSIRTPartners, mouSigned, otherAgreementsSigned
    case keyProblems, bouncedAddresses
    case chartNotifications, chartPublished, chartDevelopers, axisMessages, axisCases, axisDevelopers
    case logIntact, logBroken, logNotVerified, latestSeal, noSeal, recountAgrees, recountDiffers
    case purpose(String), kind(String), category(String), keyProblem(String), agreementKind(String)

    /// The label in `language`; `%d` placeholders are filled by the caller.
    func text(_ language: ReportLanguage) -> String {
        let (en, ja) = pair
        return language == .ja ? ja : en
    }

    private var pair: (String, String) {
        switch self {
        case .title: ("Quarterly activity report", "四半期活動報告")
        case .period: ("Period", "対象期間")
        case .timeZone: ("time zone", "タイムゾーン")
        case .generated: ("Generated", "作成日時")
        case .comparedWith: ("Compared with", "比較対象")
        case .figureColumn: ("Figure", "項目")
        // The CSV header row; the English one is the stable `section,figure,value,compare,definition`.
        case .csvSection: ("section", "区分")
        case .csvFigure: ("figure", "項目")
        case .csvValue: ("value", "値")
        case .csvCompare: ("compare", "比較値")
        case .csvDefinition: ("definition", "定義")
        case .valueColumn: ("Value", "値")
        case .changeColumn: ("Change", "増減")
        case .definitionColumn: ("Definition", "定義")
        case .total: ("total", "総計")
        case .andMore: ("… and %d more", "… ほか %d 件")
        case .quarterAxis: ("Quarter", "四半期")
        case .notifications: ("Notifications", "通知連絡")
        case .coordination: ("Vulnerability coordination", "脆弱性情報の調整")
        case .directory: ("Directory", "連絡先ディレクトリ")
        case .integrity: ("Integrity", "検証")
        case .charts: ("Charts", "グラフ")
        case .definitions: ("Definitions", "定義")
        case .sent: ("Notifications sent", "通知件数")
        case .byPurpose: ("By purpose", "目的別")
        case .byRecipientKind: ("By recipient kind", "送付先の種別")
        case .byRecipientCountry: ("By recipient country", "送付先の国・地域別")
        case .incidentsByCategory: ("Incident notices by category", "インシデント通知のタイプ別")
        case .delivery: ("Delivery", "配送状況")
        case .deliverySent: ("Sent", "送信済み")
        case .deferredAtQuarterEnd: ("Still deferred at quarter end", "四半期末時点で未送信")
        case .failed: ("Failed", "送信失敗")
        case .bounced: ("Bounced", "不達（バウンス）")
        case .incomplete: ("— INCOMPLETE: the quarter has not ended; figures are counted up to %@",
                           "— 集計途中: 四半期は終わっていません。%@ までの集計です")
        case .voided: ("Voided (our own failures)", "取り消し（当方の送信障害）")
        case .withdrawn: ("Cases withdrawn (opened by mistake; not counted)", "取り下げ案件（誤登録のため集計対象外）")
        case .ourDeliveryProblems: ("Delivery problems of ours", "当方起因の配送問題")
        case .opened: ("Cases opened", "受付案件数")
        case .published: ("Cases published", "公表件数")
        case .organizationsNotified: ("Organisations notified", "通知した組織数")
        case .participantsNotified: ("Participants notified (case × organisation)", "通知した参加者数（案件×組織）")
        case .participantsResponded: ("Responded by quarter end", "うち四半期末までに回答あり")
        case .responseRate: ("Response rate", "回答率")
        case .medianDays: ("Days to first response, median", "初回回答までの日数（中央値）")
        case .p90Days: ("Days to first response, 90th percentile", "初回回答までの日数（90パーセンタイル）")
        case .awaitingResponse: ("Participants without a response at quarter end", "四半期末時点で未回答の参加者")
        case .caseColumn: ("Case", "案件")
        // TLP 2.0 labels and their name are never translated.
        case .tlpColumn: ("TLP", "TLP")
        case .organizationColumn: ("Organisation", "組織")
        case .firstNotifiedColumn: ("First notified (UTC)", "初回通知")
        case .daysColumn: ("Days waiting", "経過日数")
        case .addressColumn: ("Address", "アドレス")
        case .fingerprintColumn: ("Fingerprint", "フィンガープリント")
        case .problemColumn: ("Problem", "問題")
        case .signedColumn: ("Signed", "締結日")
        case .kindColumn: ("Kind", "種別")
        case .expiresColumn: ("Expires (UTC)", "有効期限（UTC）")
        case .registeredDevelopers: ("Registered product developers", "登録製品開発者数")
        case .newDevelopers: ("New in the quarter", "うち当四半期の新規登録")
        case .apcertMembers: ("APCERT members", "APCERT 加盟チーム数")
        case .nationalCSIRTPartners: ("National CSIRT partners", "連携するナショナル CSIRT 数")
        case .mouSigned: ("MoUs signed", "締結した覚書（MoU）")
        case .otherAgreementsSigned: ("Other agreements signed", "その他の締結した合意")
        case .keyProblems: ("Contacts with missing or expiring keys", "鍵の欠落・失効が迫る連絡先")
        case .bouncedAddresses: ("Addresses that bounced", "不達となったアドレス")
        case .chartNotifications: ("Notifications sent per quarter", "四半期ごとの通知件数")
        case .chartPublished: ("Cases published per quarter, by origin", "四半期ごとの公表件数（情報元別）")
        case .chartDevelopers: ("Registered product developers at quarter end", "四半期末の登録製品開発者数")
        case .axisMessages: ("Messages", "件数")
        case .axisCases: ("Cases", "件数")
        case .axisDevelopers: ("Developers", "社数")
        case .logIntact: ("Event log verified intact (%d events)", "イベントログの完全性を確認済み（%d 件）")
        case .logBroken: ("Event log verification FAILED (%d events checked)", "イベントログの検証に失敗（%d 件を確認）")
        case .logNotVerified: ("Event log NOT verified", "イベントログは未検証")
        case .latestSeal: ("latest audit seal", "最新の監査シール")
        case .noSeal: ("no audit seal", "監査シールなし")
        case .recountAgrees: ("Figures recounted from the event log agree with the tables",
                              "イベントログから再集計した値は表の値と一致")
        case .recountDiffers: ("Figures recounted from the event log DIFFER from the tables",
                               "イベントログから再集計した値が表の値と一致しません")
        case .purpose(let purpose):
            switch purpose {
            case "case-notification": ("Case notification", "脆弱性情報の通知")
            case "reminder": ("Reminder", "リマインダー")
            case "publication": ("Publication notice", "公表のお知らせ")
            case "incident": ("Incident notice", "インシデント通知")
            case "escalation": ("Escalation", "エスカレーション")
            case "due-changed": ("Publication date changed", "公表予定日変更のお知らせ")
            default: (purpose, purpose)
            }
        case .kind(let kind):
            switch kind {
            case "national-csirt": ("National CSIRT", "ナショナル CSIRT")
            case "coordinator": ("Coordinator", "調整機関")
            case "product-developer": ("Product developer", "製品開発者")
            case "csirt": ("CSIRT", "CSIRT")
            case "government": ("Government", "政府機関")
            case "other": ("Other", "その他")
            case "unknown": ("Unknown organisation", "不明な組織")
            default: (kind, kind)
            }
        case .category(let category):
            switch category {
            case "scan": ("Probe, scan (scan)", "プローブ、スキャン (scan)")
            case "forged": ("Forged mail (forged)", "送信ヘッダ詐称メール (forged)")
            case "intrusion": ("Intrusion (intrusion)", "システムへの侵入 (intrusion)")
            case "phishing": ("Phishing (phishing)", "フィッシング (phishing)")
            case "other": ("Other (other)", "その他 (other)")
            case "none": ("No category", "タイプ未設定")
            default: (category, category)
            }
        case .keyProblem(let problem):
            switch problem {
            case "missing": ("Key missing", "鍵なし")
            case "expired": ("Key expired", "鍵の有効期限切れ")
            case "expiring": ("Key expiring within 30 days", "30 日以内に有効期限切れ")
            case "revoked": ("Key revoked", "鍵の失効")
            default: (problem, problem)
            }
        case .agreementKind(let kind):
            switch kind {
            case "mou": ("MoU", "覚書（MoU）")
            case "developer-registration": ("Developer registration", "製品開発者登録")
            default: (kind, kind)
            }
        }
    }

    /// VN-JP, VN-CERT/CC, VN-CPNI; any other origin by its id. The same in every language, as in JVN.
    static func origin(_ id: String) -> String {
        switch id {
        case "jvn-jp": "VN-JP"
        case "cert-cc": "VN-CERT/CC"
        case "cpni": "VN-CPNI"
        default: id
        }
    }
}
