/// `/static/desk.js`: the desk's only script, loaded from the desk itself (the Content-Security-Policy allows no
/// other and no inline script). Pages work without it; it adds confirmations and lets a page's script send the
/// session's CSRF token with `deskFetch`.
enum DeskScript {
    static let js = """
        "use strict";
        // A button or form with data-confirm asks before it submits.
        document.addEventListener("submit", function (event) {
          var form = event.target;
          var message = form.getAttribute("data-confirm");
          if (message && !window.confirm(message)) { event.preventDefault(); }
        });
        // fetch() with the session's CSRF token, for scripts of the desk's pages.
        window.deskFetch = function (url, options) {
          options = options || {};
          options.headers = options.headers || {};
          var meta = document.querySelector('meta[name="csrf-token"]');
          if (meta) { options.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
          options.credentials = "same-origin";
          return fetch(url, options);
        };
        // Filters submit when a select changes.
        document.addEventListener("change", function (event) {
          var target = event.target;
          if (target.matches && target.matches("form.filters select")) { target.form.submit(); }
        });

        """
}
