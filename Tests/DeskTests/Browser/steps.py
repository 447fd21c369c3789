"""Runs a list of steps in headless Chromium against the desk and prints one JSON object with what each step saw.

Usage: python3 steps.py BASE_URL STEPS_JSON_FILE

Steps (each a one-key object):
  {"language": "ja"}                        start the browser with this Accept-Language (must be first if used)
  {"login": {"name": N, "password": P}}     log in through the form; result: URL after it
  {"open": "/cases"}                        open a page; result: its URL
  {"fill": {"#css": "value", ...}}          type or choose
  {"submit": "#button"}                     click and wait for the next page; result: its URL
  {"text": "#css"}                          result: the element's visible text (null if absent)
  {"attribute": ["css", "name"]}            result: the attribute of the first element matching (null if absent)
  {"count": "css"}                          result: how many elements match
  {"alert": true}                           result: whether an alert is open
  {"title": true}                           result: document.title
  {"html": true}                            result: the page's source
  {"screenshot": "/path/file.png"}          result: the path written
  {"console": true}                         result: SEVERE console messages
Output: {"results": [...], "error": null or "what failed"}.
"""
import json
import sys

import desk_browser as desk


def main():
    base, steps_file = sys.argv[1], sys.argv[2]
    with open(steps_file, encoding="utf-8") as handle:
        steps = json.load(handle)
    language = "en"
    if steps and "language" in steps[0]:
        language = steps.pop(0)["language"]
    results, error = [], None
    driver = desk.start_browser(language)
    try:
        for step in steps:
            (kind, value), = step.items()
            if kind == "login":
                results.append(desk.login(driver, base, value["name"], value["password"]))
            elif kind == "open":
                results.append(desk.open_page(driver, base, value))
            elif kind == "fill":
                desk.fill(driver, value)
                results.append(True)
            elif kind == "submit":
                results.append(desk.submit(driver, value))
            elif kind == "text":
                results.append(desk.text(driver, value))
            elif kind == "attribute":
                results.append(desk.attribute(driver, value[0], value[1]))
            elif kind == "count":
                results.append(desk.count(driver, value))
            elif kind == "alert":
                results.append(desk.alert_present(driver))
            elif kind == "title":
                results.append(driver.title)
            elif kind == "html":
                results.append(driver.page_source)
            elif kind == "screenshot":
                results.append(desk.screenshot(driver, value))
            elif kind == "console":
                results.append(desk.console_errors(driver))
            else:
                raise ValueError(f"unknown step {kind}")
    except Exception as failure:  # reported to the Swift test as one line
        error = f"{type(failure).__name__}: {failure}".splitlines()[0]
    finally:
        driver.quit()
    print(json.dumps({"results": results, "error": error}))


if __name__ == "__main__":
    main()
