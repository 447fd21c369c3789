/// The outbox area's page: held messages first (a person must act), then deferred ones.
extension DeskTemplates {
    static let outbox = DeskTemplate("outbox", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p class="muted" id="outbox-states">{{#page.states}}{{state}}: {{count}} &nbsp; {{/page.states}}</p>
        <h2>{{labels.held_title}}</h2>
        <p class="muted">{{labels.held_intro}}</p>
        <table id="held">
        <thead><tr><th>#</th><th>{{labels.case}}</th><th>{{labels.organization}}</th><th>{{labels.subject}}</th><th>{{labels.reason}}</th><th>{{labels.attempts}}</th><th>{{labels.actions}}</th></tr></thead>
        <tbody>
        {{#page.held}}<tr id="outbox-{{id}}">
        <td>{{id}}</td>
        <td>{{#caseHref}}<a href="{{caseHref}}">{{caseId}}</a>{{/caseHref}}</td>
        <td><a href="{{organizationHref}}">{{organizationId}}</a></td>
        <td>{{#withheld}}<span class="muted">{{labels.red_hidden}}</span>{{/withheld}}{{^withheld}}{{subject}}{{/withheld}}</td>
        <td class="reason">{{reason}}</td>
        <td class="num">{{attempts}}</td>
        <td>{{#page.mayRelease}}<form method="post" action="/outbox/{{id}}/release" class="inline">
          <input type="hidden" name="csrf" value="{{desk.csrf}}">
          <input type="hidden" name="return_to" value="/outbox">
          <button type="submit" id="release-{{id}}">{{labels.release}}</button>
        </form>{{/page.mayRelease}}</td>
        </tr>
        {{/page.held}}
        </tbody>
        </table>
        {{^page.held}}<p class="muted" id="held-empty">{{labels.none}}</p>{{/page.held}}
        <h2>{{labels.deferred_title}}</h2>
        <table id="deferred">
        <thead><tr><th>#</th><th>{{labels.case}}</th><th>{{labels.organization}}</th><th>{{labels.subject}}</th><th>{{labels.reason}}</th><th>{{labels.attempts}}</th><th>{{labels.next_attempt}}</th><th>{{labels.recipients}}</th></tr></thead>
        <tbody>
        {{#page.deferred}}<tr id="outbox-{{id}}">
        <td>{{id}}</td>
        <td>{{#caseHref}}<a href="{{caseHref}}">{{caseId}}</a>{{/caseHref}}</td>
        <td><a href="{{organizationHref}}">{{organizationId}}</a></td>
        <td>{{#withheld}}<span class="muted">{{labels.red_hidden}}</span>{{/withheld}}{{^withheld}}{{subject}}{{/withheld}}</td>
        <td class="reason">{{reason}}</td>
        <td class="num">{{attempts}}</td>
        <td>{{nextAttempt}}</td>
        <td>{{#recipients}}{{email}} {{status}}{{#reply}} ({{reply}}){{/reply}}<br>{{/recipients}}</td>
        </tr>
        {{/page.deferred}}
        </tbody>
        </table>
        {{^page.deferred}}<p class="muted" id="deferred-empty">{{labels.none}}</p>{{/page.deferred}}
        <h2>{{labels.failed_title}}</h2>
        <table id="failed">
        <thead><tr><th>#</th><th>{{labels.case}}</th><th>{{labels.organization}}</th><th>{{labels.subject}}</th><th>{{labels.reason}}</th><th>{{labels.attempts}}</th><th>{{labels.recipients}}</th></tr></thead>
        <tbody>
        {{#page.failed}}<tr id="outbox-{{id}}">
        <td>{{id}}</td>
        <td>{{#caseHref}}<a href="{{caseHref}}">{{caseId}}</a>{{/caseHref}}</td>
        <td><a href="{{organizationHref}}">{{organizationId}}</a></td>
        <td>{{#withheld}}<span class="muted">{{labels.red_hidden}}</span>{{/withheld}}{{^withheld}}{{subject}}{{/withheld}}</td>
        <td class="reason">{{reason}}</td>
        <td class="num">{{attempts}}</td>
        <td>{{#recipients}}{{email}} {{status}}{{#reply}} ({{reply}}){{/reply}}<br>{{/recipients}}</td>
        </tr>
        {{/page.failed}}
        </tbody>
        </table>
        {{^page.failed}}<p class="muted" id="failed-empty">{{labels.none}}</p>{{/page.failed}}
        {{/content}}{{/layout}}
        """)
}
