/// The vendor's answer pages: the form, the confirmation of an uploaded VEX document, and the one refusal. They
/// stand alone (no desk navigation: the vendor is no user of the desk) and show only what the notification said.
/// Every outside text is written `{{x}}` (HTML-escaped).
extension DeskTemplates {
    /// The top of every answer page.
    static let answerHead = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <meta name="robots" content="noindex, nofollow">
        <title>{{title}}</title>
        <link rel="stylesheet" href="/static/desk.css">
        <link rel="icon" href="data:,">
        <script src="/static/answer.js" defer></script>
        </head>
        <body class="answer">
        <header class="bar"><span class="brand">{{title}}</span>
        {{#otherLanguageHref}}<a class="lang" id="language-switch" href="{{otherLanguageHref}}">{{labels.language_switch}}</a>{{/otherLanguageHref}}
        </header>
        <main>
        """

    static let answerFacts = """
        <dl class="facts" id="case-facts">
          <dt>{{labels.case}}</dt><dd id="case-id">{{page.caseId}}</dd>
          <dt>{{labels.title}}</dt><dd id="case-title">{{page.caseTitle}}</dd>
          <dt>{{labels.tlp}}</dt><dd id="case-tlp">{{page.tlp}}</dd>
          <dt>{{labels.due}}</dt><dd id="case-due">{{#page.due}}{{page.due}}{{/page.due}}{{^page.due}}{{labels.due_unset}}{{/page.due}}</dd>
          <dt>{{labels.organization}}</dt><dd id="organization">{{page.organization}}</dd>
          <dt>{{labels.valid_until}}</dt><dd id="valid-until">{{page.validUntil}}</dd>
        </dl>
        """

    static let answerForm = DeskTemplate("answer-form", answerFormSource)
    static let answerFormSource = answerHead + """
        <h1>{{labels.answer_title}}</h1>
        <p>{{labels.answer_intro}}</p>
        \(answerFacts)
        {{#page.saved}}<p class="notice" role="status" id="notice">{{labels.saved}}</p>{{/page.saved}}
        {{#page.notice}}<p class="notice error" role="alert" id="notice">{{page.notice}}</p>{{/page.notice}}
        {{#page.hasErrors}}<div class="notice error" role="alert" id="errors"><p>{{labels.errors}}</p><ul>{{#page.errors}}<li>{{.}}</li>{{/page.errors}}</ul></div>{{/page.hasErrors}}
        <section id="current">
        <h2>{{labels.current_answer}}</h2>
        {{#page.current}}
        <p>{{labels.answered_at}}: <span id="answered-at">{{answeredAt}}</span>{{#document}} ({{document}}){{/document}}</p>
        <table id="current-products">
        <thead><tr><th>{{labels.product}}</th><th>{{labels.status}}</th><th>{{labels.detail}}</th></tr></thead>
        <tbody>
        {{#products}}<tr><td>{{name}}{{#identifier}}<br><code>{{identifier}}</code>{{/identifier}}</td><td class="status" data-status="{{status}}">{{statusLabel}}</td><td>{{#justificationLabel}}{{justificationLabel}}{{/justificationLabel}}{{#fixedVersion}}{{labels.fixed_version}} {{fixedVersion}}{{/fixedVersion}}</td></tr>
        {{/products}}
        </tbody>
        </table>
        {{#statement}}<p class="statement" id="current-statement">{{statement}}</p>{{/statement}}
        {{#contact}}<p id="current-contact">{{labels.contact}}: {{contact}}</p>{{/contact}}
        {{/page.current}}
        {{^page.current}}<p class="muted" id="no-answer">{{labels.no_answer_yet}}</p>{{/page.current}}
        </section>
        <form method="post" action="{{page.action}}" id="answer-form">
        <input type="hidden" name="csrf" value="{{page.csrf}}">
        <fieldset>
        <legend>{{labels.products}}</legend>
        <table id="product-rows">
        <thead><tr><th>{{labels.product}}</th><th>{{labels.identifier}}</th><th>{{labels.status}}</th><th>{{labels.justification}}</th><th>{{labels.fixed_version}}</th></tr></thead>
        <tbody>
        {{#page.rows}}<tr class="product-row">
        <td><input name="name" value="{{name}}" maxlength="200" aria-label="{{labels.product}}"></td>
        <td><input name="identifier" value="{{identifier}}" maxlength="500" aria-label="{{labels.identifier}}"></td>
        <td><select name="status" aria-label="{{labels.status}}">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></td>
        <td><select name="justification" aria-label="{{labels.justification}}">{{#justifications}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/justifications}}</select></td>
        <td><input name="fixed_version" value="{{fixedVersion}}" maxlength="100" aria-label="{{labels.fixed_version}}"></td>
        </tr>
        {{/page.rows}}
        </tbody>
        </table>
        <button type="submit" name="add_row" value="1" id="add-row" formnovalidate>{{labels.add_row}}</button>
        </fieldset>
        <label>{{labels.statement}}<br><textarea name="statement" id="statement" rows="6" cols="80" maxlength="20000">{{page.statement}}</textarea></label>
        <label>{{labels.contact}}<br><input name="contact" id="contact" value="{{page.contact}}" maxlength="500" size="60"></label>
        <p><button type="submit" id="submit">{{labels.submit}}</button></p>
        </form>
        <section id="upload">
        <h2>{{labels.upload_title}}</h2>
        <p>{{labels.upload_intro}}</p>
        <form method="post" action="{{page.uploadAction}}" enctype="multipart/form-data" id="upload-form">
        <input type="hidden" name="csrf" value="{{page.csrf}}">
        <label>{{labels.document}} <input type="file" name="document" id="document" accept=".json,application/json,application/csaf+json,application/vnd.cyclonedx+json" required></label>
        <button type="submit" id="upload-button">{{labels.upload}}</button>
        </form>
        </section>
        </main>
        </body>
        </html>

        """

    static let answerConfirm = DeskTemplate("answer-confirm", answerConfirmSource)
    static let answerConfirmSource = answerHead + """
        <h1>{{labels.confirm_title}}</h1>
        \(answerFacts)
        <p>{{labels.confirm_intro}}</p>
        <p id="document-label">{{page.document}}</p>
        {{^page.namesCase}}<p class="notice" id="names-none">{{labels.names_none}}</p>{{/page.namesCase}}
        <table id="confirm-products">
        <thead><tr><th>{{labels.product}}</th><th>{{labels.status}}</th><th>{{labels.detail}}</th></tr></thead>
        <tbody>
        {{#page.products}}<tr><td>{{name}}{{#identifier}}<br><code>{{identifier}}</code>{{/identifier}}</td><td class="status" data-status="{{status}}">{{statusLabel}}</td><td>{{#justificationLabel}}{{justificationLabel}}{{/justificationLabel}}{{#fixedVersion}}{{labels.fixed_version}} {{fixedVersion}}{{/fixedVersion}}</td></tr>
        {{/page.products}}
        </tbody>
        </table>
        <form method="post" action="{{page.confirmAction}}" id="confirm-form">
        <input type="hidden" name="csrf" value="{{page.csrf}}">
        <input type="hidden" name="upload" value="{{page.upload}}">
        <label>{{labels.statement}}<br><textarea name="statement" id="statement" rows="4" cols="80" maxlength="20000"></textarea></label>
        <label>{{labels.contact}}<br><input name="contact" id="contact" maxlength="500" size="60"></label>
        <p><button type="submit" id="confirm">{{labels.confirm}}</button> <a href="{{page.back}}" id="cancel">{{labels.cancel}}</a></p>
        </form>
        </main>
        </body>
        </html>

        """

    /// The one refusal of a tampered, unknown, expired or revoked link: the same words and status for all.
    static let answerRefused = DeskTemplate("answer-refused", answerRefusedSource)
    static let answerRefusedSource = answerHead + """
        <h1 id="refused">{{labels.refused_title}}</h1>
        <p>{{labels.refused_text}}</p>
        </main>
        </body>
        </html>

        """

    /// A plain page for 413 and 429.
    static let answerProblem = DeskTemplate("answer-problem", answerProblemSource)
    static let answerProblemSource = answerHead + """
        <h1 id="problem">{{page.text}}</h1>
        </main>
        </body>
        </html>

        """
}
