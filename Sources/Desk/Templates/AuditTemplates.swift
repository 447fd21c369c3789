/// The audit area's page: the log's state first, then the latest events with their actors.
extension DeskTemplates {
    static let audit = DeskTemplate("audit", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <p class="integrity {{#page.verified}}ok{{/page.verified}}{{^page.verified}}warn{{/page.verified}}" id="audit-state">{{#page.verified}}{{labels.audit_verified}}{{/page.verified}}{{^page.verified}}{{labels.audit_not_verified}}{{/page.verified}} {{page.chainLine}}</p>
        {{#page.sealProblems}}<p class="notice error seal-problem">{{.}}</p>{{/page.sealProblems}}
        <h2>{{labels.last_seal}}</h2>
        {{#page.latestSeal}}<p id="last-seal">{{sealed}} — {{eventCount}} {{labels.events}} — {{labels.signer}} <code>{{signer}}</code>{{#file}} ({{file}}){{/file}}</p>{{/page.latestSeal}}
        {{^page.latestSeal}}<p class="muted" id="last-seal">{{labels.no_seal}}</p>{{/page.latestSeal}}
        <h2>{{labels.latest_events}}</h2>
        <table id="events">
        <thead><tr><th>#</th><th>{{labels.when}}</th><th>{{labels.actor}}</th><th>{{labels.action}}</th><th>{{labels.object}}</th></tr></thead>
        <tbody>
        {{#page.events}}<tr id="event-{{id}}"><td>{{id}}</td><td>{{time}}</td><td class="actor">{{actor}}</td><td>{{action}}</td><td>{{objectType}} {{objectId}}</td></tr>
        {{/page.events}}
        </tbody>
        </table>
        {{/content}}{{/layout}}
        """)
}
