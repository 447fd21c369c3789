/// The directory area's pages: the list with key and bounce flags, and one organisation with its history.
extension DeskTemplates {
    static let directory = DeskTemplate("directory", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <table id="directory">
        <thead><tr><th>ID</th><th>{{labels.name}}</th><th>{{labels.kind}}</th><th>{{labels.country}}</th><th>{{labels.contacts}}</th><th>{{labels.keys}}</th><th>{{labels.bounce_health}}</th></tr></thead>
        <tbody>
        {{#page.organizations}}<tr id="org-{{id}}"{{#retired}} class="retired"{{/retired}}>
        <td><a href="{{href}}">{{id}}</a></td>
        <td>{{name}}{{#localName}} ({{localName}}){{/localName}}{{#retired}} <span class="muted">{{labels.retired}}</span>{{/retired}}</td>
        <td>{{kind}}</td><td>{{country}}</td>
        <td class="num">{{activeContacts}}/{{contacts}}</td>
        <td>{{usableKeys}} {{labels.usable}}{{#keyWarning}} <span class="flag warn key-expiring">{{expiringKeys}} {{labels.expiring}}</span>{{/keyWarning}}{{#keyTrouble}} <span class="flag bad key-expired">{{expiredKeys}} {{labels.expired}}, {{missingKeys}} {{labels.missing}}</span>{{/keyTrouble}}{{#nextKeyExpiry}}<br><span class="muted">{{labels.next_expiry}} {{nextKeyExpiry}}</span>{{/nextKeyExpiry}}</td>
        <td>{{#bouncing}}<span class="flag warn bouncing">{{bouncingContacts}} {{labels.bouncing}}, {{bounces}} {{labels.bounces}}</span>{{#lastBounce}}<br><span class="muted">{{labels.last_bounce}} {{lastBounce}}</span>{{/lastBounce}}{{/bouncing}}{{^bouncing}}{{labels.healthy}}{{/bouncing}}</td>
        </tr>
        {{/page.organizations}}
        </tbody>
        </table>
        {{^page.organizations}}<p class="muted">{{labels.directory_empty}}</p>{{/page.organizations}}
        {{/content}}{{/layout}}
        """)

    static let organization = DeskTemplate("organization", """
        {{<layout}}{{$content}}
        <p><a href="/directory">{{labels.back_to_directory}}</a></p>
        <h1>{{page.name}}{{#page.localName}} ({{page.localName}}){{/page.localName}}</h1>
        <dl class="facts" id="org-facts">
        <dt>ID</dt><dd>{{page.id}}</dd>
        <dt>{{labels.kind}}</dt><dd>{{page.kind}}</dd>
        <dt>{{labels.country}}</dt><dd>{{page.country}}</dd>
        <dt>{{labels.status}}</dt><dd>{{page.status}}</dd>
        <dt>{{labels.domains}}</dt><dd>{{#page.domains}}{{.}} {{/page.domains}}</dd>
        <dt>{{labels.language}}</dt><dd>{{#page.languages}}{{.}} {{/page.languages}}</dd>
        <dt>{{labels.technology}}</dt><dd>{{#page.technologies}}{{.}} {{/page.technologies}}</dd>
        {{#page.notes}}<dt>{{labels.notes}}</dt><dd>{{page.notes}}</dd>{{/page.notes}}
        </dl>
        <h2>{{labels.contacts}}</h2>
        <table id="contacts">
        <thead><tr><th>{{labels.email}}</th><th>{{labels.name}}</th><th>{{labels.role}}</th><th>{{labels.language}}</th><th>{{labels.key}}</th><th>{{labels.key_expires}}</th><th>{{labels.bounce_health}}</th></tr></thead>
        <tbody>
        {{#page.contacts}}<tr{{^active}} class="retired"{{/active}}>
        <td>{{email}}{{^active}} <span class="muted">{{labels.inactive}}</span>{{/active}}</td><td>{{name}}</td><td>{{role}}</td><td>{{language}}</td>
        <td>{{#key}}<code>{{fingerprint}}</code> {{algorithm}}{{/key}}{{#keyMissing}}<span class="flag bad">{{labels.missing}}</span>{{/keyMissing}}{{^key}}{{^keyMissing}}{{labels.none}}{{/keyMissing}}{{/key}}</td>
        <td>{{#key}}{{expires}}{{^expires}}{{labels.never}}{{/expires}}{{#revoked}} <span class="flag bad">{{labels.revoked}}</span>{{/revoked}}{{#expired}} <span class="flag bad key-expired">{{labels.expired}}</span>{{/expired}}{{#expiring}} <span class="flag warn key-expiring">{{labels.expiring}}</span>{{/expiring}}{{/key}}</td>
        <td>{{#bounced}}<span class="flag warn bouncing">{{bounceCount}} {{labels.bounces}}</span>{{#lastBounce}} {{labels.last_bounce}} {{lastBounce}}{{/lastBounce}}{{/bounced}}{{^bounced}}{{labels.healthy}}{{/bounced}}</td>
        </tr>
        {{/page.contacts}}
        </tbody>
        </table>
        <h2>{{labels.memberships}}</h2>
        {{#page.memberships}}<p>{{body}} {{role}} {{since}}{{#until}} – {{until}}{{/until}}</p>{{/page.memberships}}
        {{^page.memberships}}<p class="muted">{{labels.none}}</p>{{/page.memberships}}
        <h2>{{labels.agreements}}</h2>
        {{#page.agreements}}<p>{{kind}} {{signed}}{{#ended}} – {{ended}}{{/ended}}</p>{{/page.agreements}}
        {{^page.agreements}}<p class="muted">{{labels.none}}</p>{{/page.agreements}}
        <h2>{{labels.history}}</h2>
        <p id="history-summary">{{labels.answered_in}} {{page.answeredCases}} / {{page.notifiedCases}}{{#page.medianTimeToRespond}}; {{labels.median_time}} {{page.medianTimeToRespond}}{{/page.medianTimeToRespond}}</p>
        <table id="history">
        <thead><tr><th>{{labels.case}}</th><th>{{labels.title}}</th><th>{{labels.opened}}</th><th>{{labels.status}}</th><th>{{labels.delivery}}</th><th>{{labels.response}}</th><th>{{labels.source}}</th><th>{{labels.statement}}</th><th>{{labels.notified}}</th><th>{{labels.time_to_respond}}</th></tr></thead>
        <tbody>
        {{#page.history}}<tr>
        <td>{{#caseHref}}<a href="{{caseHref}}">{{caseId}}</a>{{/caseHref}}{{^caseHref}}{{caseId}}{{/caseHref}}</td>
        <td>{{#withheld}}<span class="muted">{{labels.red_hidden}}</span>{{/withheld}}{{^withheld}}{{title}}{{/withheld}}</td>
        <td>{{opened}}</td><td>{{state}}</td><td>{{delivery}}</td><td class="response-{{response}}">{{responseLabel}}</td>
        <td>{{sourceLabel}}</td>
        <td>{{statement}}</td>
        <td>{{firstNotified}}</td>
        <td>{{timeToRespond}}</td>
        </tr>
        {{/page.history}}
        </tbody>
        </table>
        {{^page.history}}<p class="muted">{{labels.none}}</p>{{/page.history}}
        {{/content}}{{/layout}}
        """)
}
