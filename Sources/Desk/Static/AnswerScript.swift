/// `/static/answer.js`: the answer form's only script (the Content-Security-Policy allows no inline script). The
/// form works without it: "Add a product" then asks the server for one more row. With it, the row is added here.
enum AnswerScript {
    static let js = """
        "use strict";
        document.addEventListener("click", function (event) {
          var button = event.target;
          if (!button || button.id !== "add-row") { return; }
          var body = document.querySelector("#product-rows tbody");
          var rows = body ? body.querySelectorAll("tr.product-row") : [];
          if (!rows.length) { return; }
          event.preventDefault();
          var copy = rows[rows.length - 1].cloneNode(true);
          copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
          copy.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
          body.appendChild(copy);
          var first = copy.querySelector("input");
          if (first) { first.focus(); }
        });

        """
}
