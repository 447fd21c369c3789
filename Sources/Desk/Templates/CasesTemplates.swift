/// The cases area's pages: the list, the embargo calendar, a case with its vendor matrix, the notification preview.
extension DeskTemplates {
    static let cases = DeskTemplate("cases", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p><a href="/cases/calendar" id="calendar-link">{{labels.calendar_view}}</a></p>
        <form method="get" action="/cases" class="filters panel">
          <label>{{labels.origin}} <select name="origin" id="filter-origin"><option value="">{{labels.all}}</option>{{#page.origins}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/page.origins}}</select></label>
          <label>{{labels.tlp}} <select name="tlp" id="filter-tlp"><option value="">{{labels.all}}</option>{{#page.levels}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/page.levels}}</select></label>
          <label><input type="checkbox" name="overdue" value="1" id="filter-overdue"{{#page.filters.overdue}} checked{{/page.filters.overdue}}> {{labels.only_overdue}}</label>
          <label>{{labels.text}} <input name="q" id="filter-q" value="{{page.filters.q}}"></label>
          <button type="submit" id="filter-apply">{{labels.apply}}</button>
        </form>
        <table id="cases">
        <thead><tr><th>{{labels.case}}</th><th>{{labels.tlp}}</th><th>{{labels.title}}</th><th>{{labels.origin}}</th><th>{{labels.due}}</th><th>{{labels.days_left}}</th><th>{{labels.summary}}</th></tr></thead>
        <tbody>
        {{#page.cases}}{{> caseRow}}{{/page.cases}}
        </tbody>
        </table>
        {{^page.cases}}<p class="muted" id="no-cases">{{labels.no_cases}}</p>{{/page.cases}}
        {{/content}}{{/layout}}
        """)

    static let calendar = DeskTemplate("calendar", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p><a href="/cases">{{labels.list_view}}</a></p>
        <div class="calendar">
        {{#page.weeks}}
        <section class="week" data-week="{{start}}">
          <h2>{{labels.week_of}} {{start}} – {{end}}</h2>
          <table><tbody>{{#cases}}{{> caseRow}}{{/cases}}</tbody></table>
        </section>
        {{/page.weeks}}
        <section class="week" data-week="none"><h2>{{labels.due}}: -</h2><table><tbody>{{#page.undated}}{{> caseRow}}{{/page.undated}}</tbody></table></section>
        </div>
        {{/content}}{{/layout}}
        """)

    /// One case of a list: id, TLP, title (withheld for TLP:RED when the user may not read it), due date, days left
    /// and VINCE's summary line.
    static let caseRowSource = """
        <tr data-case="{{id}}"><td><a href="{{href}}">{{id}}</a></td><td><span class="tlp tlp-{{tlpClass}}">{{tlp}}</span></td>
        <td class="title">{{^hidden}}{{title}}{{/hidden}}{{#hidden}}<span class="muted">{{labels.red_hidden}}</span>{{/hidden}}</td><td>{{origin}}</td>
        <td>{{due}}</td><td class="num{{#overdue}} overdue{{/overdue}}">{{daysLeft}}{{#overdue}} ({{labels.overdue}}){{/overdue}}</td>
        {{#hidden}}<td class="summary muted">{{labels.red_hidden}}</td></tr>{{/hidden}}{{^hidden}}<td class="summary"><span>{{vendorsLabel}}</span><span>{{notified}} {{labels.notified}}</span><span>{{acknowledged}} {{labels.acknowledged}}</span><span>{{stated}} {{labels.stated}}</span><span>{{undeliverable}} {{labels.undeliverable}}</span><span>{{noAnswer}} {{labels.no_answer}}</span></td></tr>{{/hidden}}

        """

    static let caseDetail = DeskTemplate("caseDetail", """
        {{<layout}}{{$content}}
        <h1 id="case-id">{{page.id}} <span class="tlp tlp-{{page.tlpClass}}" id="case-tlp">{{page.tlp}}</span></h1>
        {{#page.hidden}}<p class="notice error" id="red-hidden">{{labels.red_hidden}}</p>{{/page.hidden}}
        {{^page.hidden}}
        <p id="case-title">{{page.caseTitle}}</p>
        <p class="muted">{{labels.origin}} {{page.origin}} · {{labels.opened}} {{page.opened}} · {{labels.due}} <span id="case-due">{{page.due}}</span> · {{#page.published}}{{labels.published}} {{page.published}}{{/page.published}}{{^page.published}}{{labels.not_published}}{{/page.published}}{{#page.withdrawn}} · WITHDRAWN {{page.withdrawn}}{{/page.withdrawn}}</p>
        <h2>{{labels.vendor_matrix}} ({{page.vendors}})</h2>
        <table id="matrix">
        <thead><tr><th>{{labels.organization}}</th><th>{{labels.delivery}}</th><th>{{labels.response}}</th><th>{{labels.source}}</th><th>{{labels.statement}}</th><th>{{labels.last_in}}</th><th>{{labels.last_out}}</th><th>{{labels.next_step}}</th></tr></thead>
        <tbody>
        {{{html.matrix}}}
        </tbody>
        </table>
        {{#page.mayChange}}
        <h2>{{labels.actions}}</h2>
        <div class="actions">
        <form method="post" action="{{page.path}}/response" class="panel" id="response-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}"><input type="hidden" name="return_to" value="{{page.path}}">
          <strong>{{labels.set_response}}</strong><br>
          <label>{{labels.organization}} <input name="org" id="response-org" required></label>
          <label>{{labels.response}} <select name="response" id="response-value">{{#page.responses}}<option value="{{value}}">{{label}}</option>{{/page.responses}}</select></label>
          <label>{{labels.statement}} <input name="statement" id="response-statement"></label>
          <button type="submit" id="response-save">{{labels.save}}</button>
        </form>
        <form method="post" action="{{page.path}}/participants" class="panel" id="add-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}"><input type="hidden" name="return_to" value="{{page.path}}">
          <strong>{{labels.add_vendors}}</strong><br>
          <label>{{labels.org_ids}} <input name="orgs" id="add-orgs"></label>
          <label>{{labels.technology}} <input name="technology" id="add-technology"></label>
          <button type="submit" id="add-save">{{labels.add}}</button>
        </form>
        <form method="get" action="{{page.path}}/notify" class="panel" id="notify-form">
          <strong>{{labels.notify}}</strong><br>
          {{^empty(page.templates)}}
          <label>{{labels.template}} <select name="template" id="notify-template">{{#page.templateChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/page.templateChoices}}</select></label>
          <fieldset id="notify-orgs"><legend>{{labels.notify_orgs}}</legend>
          {{{html.notify}}}
          </fieldset>
          <label><input type="checkbox" name="again" value="1" id="notify-again"> {{labels.notify_again}}</label>
          <button type="submit" id="notify-preview">{{labels.preview}}</button>
          {{/empty(page.templates)}}
          {{#empty(page.templates)}}<span class="muted" id="no-templates">{{labels.no_templates}}</span>{{/empty(page.templates)}}
        </form>
        <form method="post" action="{{page.path}}/due" class="panel" id="due-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}"><input type="hidden" name="return_to" value="{{page.path}}">
          <strong>{{labels.set_due}}</strong><br>
          <label>{{labels.due}} <input name="due" id="due-value" type="date" value="{{page.due}}"></label>
          <label><input type="checkbox" name="notify" value="1" id="due-notify"> {{labels.due_notify}}</label>
          <label><input type="checkbox" name="force" value="1"> {{labels.force}}</label>
          <button type="submit" id="due-save">{{labels.save}}</button>
        </form>
        <form method="post" action="{{page.path}}/tlp" class="panel" id="tlp-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}"><input type="hidden" name="return_to" value="{{page.path}}">
          <strong>{{labels.set_tlp}}</strong><br>
          <label>{{labels.tlp}} <select name="tlp" id="tlp-value">{{#page.levels}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/page.levels}}</select></label>
          <button type="submit" id="tlp-save">{{labels.save}}</button>
        </form>
        <form method="post" action="{{page.path}}/publish" class="panel" id="publish-form" data-confirm="{{labels.publish}} {{page.id}}?">
          <input type="hidden" name="csrf" value="{{desk.csrf}}"><input type="hidden" name="return_to" value="{{page.path}}">
          <strong>{{labels.publish}}</strong><br>
          <label>{{labels.advisory_url}} <input name="url" id="publish-url" type="url"></label>
          <label><input type="checkbox" name="force" value="1"> {{labels.force}}</label>
          <button type="submit" id="publish-save">{{labels.publish}}</button>
        </form>
        </div>
        {{/page.mayChange}}
        <h2>{{labels.timeline}}</h2>
        <table id="timeline">
        <thead><tr><th>{{labels.when}}</th><th>{{labels.actor}}</th><th>{{labels.action}}</th><th>{{labels.organization}}</th><th>{{labels.details}}</th></tr></thead>
        <tbody>
        {{{html.timeline}}}
        </tbody>
        </table>
        {{/page.hidden}}
        {{/content}}{{/layout}}
        """)

    static let notifyPreview = DeskTemplate("notifyPreview", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p><a href="{{page.path}}">{{labels.back_to_case}}</a></p>
        {{#page.problems}}<p class="notice error problem">{{.}}</p>{{/page.problems}}
        {{^page.problems}}
        <p id="preview-count">{{page.messagesLabel}}</p>
        {{#page.previews}}
        <section class="panel preview" data-language="{{language}}">
          <h2>{{labels.language}}: {{language}} ({{organizationsLabel}}, {{sampleOrganizationId}})</h2>
          <p><strong>{{labels.subject}}:</strong> <span class="subject">{{subject}}</span></p>
          <pre class="preview">{{body}}</pre>
        </section>
        {{/page.previews}}
        <form method="post" action="{{page.path}}/notify" class="panel" id="queue-form">
          <input type="hidden" name="csrf" value="{{desk.csrf}}"><input type="hidden" name="return_to" value="{{page.path}}">
          <input type="hidden" name="template" value="{{page.templateName}}">
          {{#page.organizations}}<input type="hidden" name="org" value="{{.}}">{{/page.organizations}}
          {{#page.again}}<input type="hidden" name="again" value="1">{{/page.again}}
          <p class="muted" id="queue-orgs">{{#page.organizations}}{{.}} {{/page.organizations}}</p>
          <button type="submit" id="queue">{{labels.queue}}</button>
        </form>
        {{/page.problems}}
        {{/content}}{{/layout}}
        """)
}
