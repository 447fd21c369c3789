/// The cases area's pages.
extension DeskTemplates {
    static let cases = DeskTemplate("cases", """
        {{<layout}}{{$content}}
        <h1>{{title}}</h1>
        <table id="cases">
        <thead><tr><th>{{labels.case}}</th><th>{{labels.title}}</th><th>{{labels.due}}</th></tr></thead>
        <tbody>
        {{#page.cases}}<tr><td><a href="{{href}}">{{id}}</a></td><td>{{title}}</td><td>{{due}}</td></tr>
        {{/page.cases}}
        </tbody>
        </table>
        {{^page.cases}}<p class="muted">{{labels.no_cases}}</p>{{/page.cases}}
        {{/content}}{{/layout}}
        """)
}
