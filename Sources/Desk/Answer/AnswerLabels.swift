/// The answer form's labels in English and Japanese (key → (English, Japanese)); a template writes `{{labels.key}}`.
/// `AnswerFormTests` checks that every key has both languages.
enum AnswerLabels {
    static let entries: [String: (en: String, ja: String)] = [
        "answer_title": ("Your answer", "ご回答"),
        "answer_intro": ("This page is for your organisation and this case only. Tell us the status of each of your products; "
                         + "you can change your answer until the link expires.",
                         "このページは貴組織と本件のためだけのものです。製品ごとの影響の有無をお知らせください。"
                         + "リンクの有効期限までは回答を変更できます。"),
        "case": ("Case", "案件"),
        "title": ("Title", "件名"),
        "tlp": ("TLP", "TLP"),
        "due": ("Publication date", "公表予定日"),
        "due_unset": ("to be agreed", "調整中"),
        "organization": ("Organisation", "組織"),
        "valid_until": ("This link is valid until", "このリンクの有効期限"),
        "current_answer": ("Your current answer", "現在のご回答"),
        "answered_at": ("Answered", "回答日時"),
        "no_answer_yet": ("No answer through this link yet.", "このリンクからのご回答はまだありません。"),
        "saved": ("Thank you: your answer was recorded.", "ありがとうございます。ご回答を記録しました。"),
        "products": ("Products", "製品"),
        "product": ("Product", "製品名"),
        "identifier": ("CPE or package URL (optional)", "CPE またはパッケージ URL (任意)"),
        "status": ("Status", "影響"),
        "justification": ("Why not affected", "影響を受けない理由"),
        "fixed_version": ("Fixed in version", "修正版"),
        "choose": ("— choose —", "— 選択 —"),
        "status_affected": ("affected", "影響あり"),
        "status_not_affected": ("not affected", "影響なし"),
        "status_fixed": ("fixed", "修正済み"),
        "status_under_investigation": ("under investigation", "調査中"),
        "justification_component_not_present": ("component not present", "該当コンポーネントを含まない"),
        "justification_vulnerable_code_not_present": ("vulnerable code not present", "脆弱なコードを含まない"),
        "justification_vulnerable_code_cannot_be_controlled_by_adversary": ("vulnerable code cannot be controlled by an adversary",
                                                                            "脆弱なコードを攻撃者が制御できない"),
        "justification_vulnerable_code_not_in_execute_path": ("vulnerable code not in the execute path", "脆弱なコードが実行されない"),
        "justification_inline_mitigations_already_exist": ("inline mitigations already exist", "緩和策が組み込まれている"),
        "add_row": ("Add a product", "製品を追加"),
        "statement": ("Statement (any language)", "ステートメント (言語は問いません)"),
        "contact": ("Contact for follow-up", "ご担当者の連絡先"),
        "submit": ("Send the answer", "回答を送信"),
        "upload_title": ("Or upload a VEX document", "または VEX 文書をアップロード"),
        "upload_intro": ("A CSAF 2.0 VEX, OpenVEX or CycloneDX VEX document in JSON, at most 5 MB. Its product statuses are "
                         + "shown to you before they are recorded.",
                         "JSON 形式の CSAF 2.0 VEX、OpenVEX、CycloneDX VEX 文書 (5 MB まで)。記録の前に、読み取った製品ごとの"
                         + "影響を表示します。"),
        "document": ("Document", "文書"),
        "upload": ("Read the document", "文書を読み込む"),
        "confirm_title": ("Please confirm", "内容のご確認"),
        "confirm_intro": ("These are the statuses read from your document. Record them as your answer?",
                          "文書から次の内容を読み取りました。この内容で回答を記録しますか?"),
        "names_none": ("The document names no vulnerability: its statuses will be recorded as your answer for this case.",
                       "文書は脆弱性を特定していません。本件へのご回答として記録します。"),
        "confirm": ("Record this answer", "この内容で記録"),
        "cancel": ("Back to the form", "フォームに戻る"),
        "errors": ("Please correct:", "次の点をご確認ください:"),
        "refused_title": ("This link is not valid", "このリンクは無効です"),
        "refused_text": ("This answer link is not valid. If you need to answer, please reply to our message.",
                         "この回答リンクは無効です。ご回答の際は、当方からのメールへご返信ください。"),
        "too_many": ("Too many submissions: please try again later.", "送信が多すぎます。しばらくしてからもう一度お試しください。"),
        "too_large": ("The request is too large.", "送信内容が大きすぎます。"),
        "expired_form": ("The form expired: please send it again.", "フォームの有効期限が切れました。もう一度送信してください。"),
        "upload_expired": ("The document waited too long: please upload it again.", "時間が経過しました。文書をもう一度アップロードしてください。"),
        "language_switch": ("日本語", "English"),
        "detail": ("Detail", "詳細"),
    ]

    /// The labels of `language`, by key.
    static func table(for language: DeskLanguage) -> [String: String] {
        language == .ja ? japanese : english
    }

    private static let english = entries.mapValues(\.en)
    private static let japanese = entries.mapValues(\.ja)
}
