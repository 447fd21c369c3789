"""The steps of steps.py for the vendor's answer form, plus two of its own, in headless Chromium.

Usage: python3 answer_steps.py BASE_URL STEPS_JSON_FILE

Besides the steps of steps.py (language, open, fill, submit, text, count, alert, html, screenshot, console):
  {"click": "#css"}                         click without waiting for a new page (a script acts); result: True
  {"upload": {"#css": "/path/file"}}        choose a file in a file input; result: True
  {"values": "css"}                         result: the value of every matching input or select
Output: {"results": [...], "error": null or "what failed"}.
"""
import json
import sys

from selenium.webdriver.common.by import By

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
            elif kind == "click":
                desk.wait_for(driver, value).click()
                results.append(True)
            elif kind == "upload":
                for css, path in value.items():
                    desk.wait_for(driver, css).send_keys(path)
                results.append(True)
            elif kind == "values":
                results.append([element.get_attribute("value") for element in driver.find_elements(By.CSS_SELECTOR, value)])
            elif kind == "text":
                results.append(desk.text(driver, value))
            elif kind == "count":
                results.append(desk.count(driver, value))
            elif kind == "alert":
                results.append(desk.alert_present(driver))
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
