"""Building blocks for driving the desk in Debian's headless Chromium through Selenium.

Every function takes the driver first; scripts combine them (see steps.py). Nothing here sleeps for a fixed time:
waits poll a condition with a deadline (WebDriverWait).
"""
import os

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 20


def start_browser(language="en"):
    """A headless Chromium with its own throwaway profile, preferring `language` in Accept-Language."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--no-first-run", f"--lang={language}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_for(driver, css):
    """The element matching `css`, once it is present."""
    return WebDriverWait(driver, WAIT_SECONDS).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def open_page(driver, base, path):
    """Opens base + path and waits for the document to be loaded."""
    driver.get(base + path)
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: d.execute_script("return document.readyState") == "complete")
    return driver.current_url


def login(driver, base, name, password, path="/login"):
    """Logs in through the login form; returns the page's URL after the redirect."""
    open_page(driver, base, path)
    wait_for(driver, "#name").send_keys(name)
    driver.find_element(By.CSS_SELECTOR, "#password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login").click()
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: "/login" not in d.current_url or d.find_elements(By.CSS_SELECTOR, "#login-error"))
    return driver.current_url


def fill(driver, fields):
    """Types into inputs and chooses in selects: {css selector: value}."""
    for css, value in fields.items():
        element = wait_for(driver, css)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "checkbox":
            if bool(value) != element.is_selected():
                element.click()
        else:
            element.clear()
            element.send_keys(value)


def submit(driver, button_css):
    """Clicks a submit button and waits for the next page: a mark set on the old document is gone from the new one.
    (Waiting for the old element to go stale can meet a Chromium inspector error while the page is replaced.)"""
    driver.execute_script("window.__deskStepsMark = true;")
    driver.find_element(By.CSS_SELECTOR, button_css).click()

    def replaced(d):
        try:
            return d.execute_script("return window.__deskStepsMark !== true && document.readyState === 'complete'")
        except WebDriverException:  # asked while the document was being replaced: ask again
            return False
    WebDriverWait(driver, WAIT_SECONDS).until(replaced)
    return driver.current_url


def text(driver, css):
    """The visible text of the first element matching `css`, or None."""
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else None


def attribute(driver, css, name):
    """The attribute `name` of the first element matching `css`, or None."""
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].get_attribute(name) if found else None


def count(driver, css):
    """How many elements match `css`."""
    return len(driver.find_elements(By.CSS_SELECTOR, css))


def alert_present(driver):
    """Whether a JavaScript alert is open (a hostile text that ran would open one)."""
    try:
        driver.switch_to.alert.text
        return True
    except Exception:
        return False


def screenshot(driver, path):
    """Saves a PNG of the whole window at `path` (folders made); returns the path."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    driver.save_screenshot(path)
    return path


def console_errors(driver):
    """Messages of level SEVERE in the browser console (a CSP violation shows here)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
