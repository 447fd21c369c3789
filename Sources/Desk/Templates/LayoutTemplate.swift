/// The frame of every desk page: navigation (Cases, Inbox, Outbox, Directory, Reports, Audit), the user's name and
/// role, logout, the language switch, and the one-line notice of the last action. A page fills the `content` block:
/// `{{<layout}}{{$content}}…{{/content}}{{/layout}}`.
extension DeskTemplates {
    static let layoutSource = """
        <!DOCTYPE html>
        <html lang="{{desk.lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        {{#desk.csrf}}<meta name="csrf-token" content="{{desk.csrf}}">{{/desk.csrf}}
        <title>{{title}} · {{labels.app}}</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/static/desk.css">
        <script src="/static/desk.js" defer></script>
        </head>
        <body>
        <header class="bar">
          <a class="brand" href="/cases">{{labels.app}}</a>
          {{#desk.user}}
          <nav>
            {{#desk.nav}}<a href="{{href}}"{{#active}} class="active" aria-current="page"{{/active}}>{{label}}</a>{{/desk.nav}}
          </nav>
          <span class="who">{{labels.signed_in_as}} <strong id="user-name">{{desk.user.name}}</strong> (<span id="user-role">{{desk.roleLabel}}</span>)</span>
          <form method="post" action="/logout" class="inline">
            <input type="hidden" name="csrf" value="{{desk.csrf}}">
            <button type="submit" id="logout">{{labels.logout}}</button>
          </form>
          {{/desk.user}}
          <a class="lang" id="language-switch" href="{{desk.otherLanguageHref}}">{{labels.language_switch}}</a>
        </header>
        <main>
        {{#desk.notice}}<p class="notice{{#isError}} error{{/isError}}" role="status" id="notice">{{text}}</p>{{/desk.notice}}
        {{#desk.readOnly}}<p class="read-only">{{labels.read_only}}</p>{{/desk.readOnly}}
        {{$content}}{{/content}}
        </main>
        </body>
        </html>

        """

    static let login = DeskTemplate("login", """
        {{<layout}}{{$content}}
        <h1>{{labels.login_title}}</h1>
        {{#page.error}}<p class="notice error" id="login-error">{{page.error}}</p>{{/page.error}}
        <form method="post" action="/login" class="login">
          <input type="hidden" name="csrf" value="{{page.csrf}}">
          <input type="hidden" name="next" value="{{page.next}}">
          <label>{{labels.user_name}} <input name="name" id="name" autocomplete="username" required value="{{page.name}}"></label>
          <label>{{labels.password}} <input name="password" id="password" type="password" autocomplete="current-password" required></label>
          <button type="submit" id="login">{{labels.login_button}}</button>
        </form>
        {{/content}}{{/layout}}
        """)
}
