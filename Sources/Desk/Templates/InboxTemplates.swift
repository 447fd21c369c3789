/// The inbox area's pages. Every subject, address, name and text of a received message is shown with `{{x}}`
/// (escaped), the text in a `<pre>`: a reply's HTML is never rendered.
extension DeskTemplates {
    static let inbox = DeskTemplate("inbox", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p class="muted">{{#page.everything}}{{labels.inbox_all_intro}} <a href="/inbox">{{labels.inbox_review_only}}</a>{{/page.everything}}{{^page.everything}}{{labels.inbox_intro}} <a href="/inbox?all=1" id="inbox-all">{{labels.inbox_show_all}}</a>{{/page.everything}}</p>
        <ul class="counts" id="inbox-counts">{{#page.counts}}<li class="reason-{{reason}}">{{label}}: <strong>{{count}}</strong></li>{{/page.counts}}</ul>
        <table id="inbox">
        <thead><tr><th>#</th><th>{{labels.received}}</th><th>{{labels.why_listed}}</th><th>{{labels.from}}</th><th>{{labels.subject}}</th><th>{{labels.case}}</th><th>{{labels.organization}}</th><th>{{labels.signature}}</th></tr></thead>
        <tbody>
        {{#page.messages}}<tr id="message-{{id}}" class="reason-{{reason}}">
        <td><a href="{{href}}">{{id}}</a></td>
        <td>{{received}}</td>
        <td>{{reasonLabel}}{{#reviewNote}}<br><span class="muted">{{reviewNote}}</span>{{/reviewNote}}</td>
        {{#withheld}}<td colspan="2" class="muted">{{labels.red_hidden}}</td>{{/withheld}}
        {{^withheld}}<td>{{from}}</td><td><a href="{{href}}" class="subject">{{subject}}{{^subject}}{{labels.no_subject}}{{/subject}}</a></td>{{/withheld}}
        <td>{{#caseHref}}<a href="{{caseHref}}">{{caseId}}</a>{{/caseHref}}</td>
        <td>{{organizationId}}</td>
        <td>{{signature}}</td>
        </tr>
        {{/page.messages}}
        </tbody>
        </table>
        {{^page.messages}}<p class="muted" id="inbox-empty">{{labels.inbox_empty}}</p>{{/page.messages}}
        {{/content}}{{/layout}}
        """)

    static let inboxMessage = DeskTemplate("inbox-message", """
        {{<layout}}{{$content}}
        <p><a href="/inbox">{{labels.back_to_inbox}}</a></p>
        <h1>{{title}}</h1>
        {{#page.withheld}}<p class="notice" id="red-hidden">{{labels.red_hidden}}</p>{{/page.withheld}}
        <dl class="facts" id="message-facts">
        <dt>{{labels.why_listed}}</dt><dd id="why-listed">{{page.reasonLabel}}{{#page.reviewNote}} — {{page.reviewNote}}{{/page.reviewNote}}</dd>
        <dt>{{labels.received}}</dt><dd>{{page.received}}</dd>
        {{^page.withheld}}
        <dt>{{labels.from}}</dt><dd id="message-from">{{page.from}}</dd>
        <dt>{{labels.to}}</dt><dd>{{#page.to}}{{.}} {{/page.to}}</dd>
        {{#page.hasCc}}<dt>Cc</dt><dd>{{#page.cc}}{{.}} {{/page.cc}}</dd>{{/page.hasCc}}
        <dt>{{labels.date}}</dt><dd>{{page.date}}</dd>
        <dt>{{labels.subject}}</dt><dd id="message-subject">{{page.subject}}</dd>
        {{/page.withheld}}
        <dt>Message-ID</dt><dd>{{page.messageId}}{{^page.messageId}}—{{/page.messageId}}</dd>
        <dt>{{labels.classification}}</dt><dd id="message-kind">{{page.kindLabel}}{{#page.classificationNote}} ({{page.classificationNote}}){{/page.classificationNote}}</dd>
        <dt>{{labels.signature}}</dt><dd id="message-signature" class="signature-{{page.signature}}">{{page.signatureLabel}}</dd>
        <dt>{{labels.case}}</dt><dd>{{#page.caseHref}}<a href="{{page.caseHref}}" id="message-case">{{page.caseId}}</a>{{/page.caseHref}}{{^page.caseHref}}—{{/page.caseHref}}</dd>
        <dt>{{labels.organization}}</dt><dd>{{#page.organizationHref}}<a href="{{page.organizationHref}}">{{page.organizationId}}</a>{{/page.organizationHref}}{{^page.organizationHref}}—{{/page.organizationHref}}</dd>
        <dt>{{labels.review}}</dt><dd id="review-state">{{page.reviewStateLabel}}{{^page.reviewStateLabel}}—{{/page.reviewStateLabel}}</dd>
        </dl>
        {{^page.withheld}}
        <h2>{{labels.attachments}}</h2>
        {{#page.hasAttachments}}<table id="attachments"><thead><tr><th>{{labels.file_name}}</th><th>{{labels.content_type}}</th><th>{{labels.size_bytes}}</th></tr></thead><tbody>
        {{#page.attachments}}<tr><td>{{name}}{{^name}}—{{/name}}</td><td>{{contentType}}</td><td class="num">{{bytes}}</td></tr>{{/page.attachments}}
        </tbody></table>{{/page.hasAttachments}}
        {{^page.attachments}}<p class="muted">{{labels.none}}</p>{{/page.attachments}}
        <h2>{{labels.message_text}}</h2>
        {{#page.readInPart}}<p class="muted">{{labels.read_in_part}} ({{page.readInPart}} bytes)</p>{{/page.readInPart}}
        {{#page.unparsable}}<p class="muted">{{labels.unparsable}}</p>{{/page.unparsable}}
        {{#page.text}}<pre class="message-text" id="message-text">{{page.text}}</pre>{{/page.text}}
        {{^page.text}}{{^page.unparsable}}<p class="muted">{{labels.no_text_part}}</p>{{/page.unparsable}}{{/page.text}}
        {{/page.withheld}}
        {{#page.assign}}
        <section class="actions" id="inbox-actions">
        <h2>{{labels.assign_title}}</h2>
        <form method="get" action="/inbox/{{page.id}}" class="inline" id="choose-case-form">
          <label>{{labels.case}} <select name="case" id="choose-case">{{^page.assign.caseId}}<option value="">—</option>{{/page.assign.caseId}}{{#page.assign.cases}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/page.assign.cases}}</select></label>
          <button type="submit" id="choose-case-button">{{labels.choose_case}}</button>
        </form>
        {{#page.assign.caseId}}
        <form method="post" action="/inbox/{{page.id}}/assign" id="assign-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}">
          <input type="hidden" name="return_to" value="/inbox/{{page.id}}">
          <input type="hidden" name="case" value="{{page.assign.caseId}}">
          <p>{{labels.case}}: <strong>{{page.assign.caseId}}</strong></p>
          <label>{{labels.organization}} <select name="org" id="assign-org" required>{{#page.assign.organizations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/page.assign.organizations}}</select></label>
          <label>{{labels.response_to_set}} <select name="response" id="assign-response"><option value="">{{labels.response_as_read}}</option>{{#page.assign.responses}}<option value="{{value}}">{{label}}</option>{{/page.assign.responses}}</select></label>
          <button type="submit" id="assign-button">{{labels.assign_button}}</button>
        </form>
        {{/page.assign.caseId}}
        <h2>{{labels.dismiss_title}}</h2>
        <form method="post" action="/inbox/{{page.id}}/dismiss" id="dismiss-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}">
          <input type="hidden" name="return_to" value="/inbox/{{page.id}}">
          <label>{{labels.reason}} <input name="reason" id="dismiss-reason" required></label>
          <button type="submit" id="dismiss-button">{{labels.dismiss_button}}</button>
        </form>
        </section>
        {{/page.assign}}
        {{/content}}{{/layout}}
        """)
}
