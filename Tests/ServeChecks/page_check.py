"""Drives the page a running `graft serve` shows at / in a real browser (Debian's chromium,
headless, through chromium-driver and Selenium): choose a model, upload a photo, wait for the
bars, and save a screenshot. Prints one JSON object of what the page showed.

usage: page_check.py URL MODEL PHOTO SCREENSHOT.png
"""
import json
import shutil
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait


def main():
    url, model, photo, screenshot = sys.argv[1:5]
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=900,700"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        wait = WebDriverWait(driver, 60)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) > 0)
        Select(driver.find_element(By.ID, "model")).select_by_value(model)
        driver.find_element(By.ID, "file").send_keys(photo)
        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#results .row")))
        rows = driver.find_elements(By.CSS_SELECTOR, "#results .row")
        labels = [row.find_element(By.CSS_SELECTOR, ".label").text for row in rows]
        widths = [row.find_element(By.CSS_SELECTOR, ".bar").get_attribute("style") for row in rows]
        status = driver.find_element(By.ID, "status").text
        preview_shown = driver.find_element(By.ID, "preview").is_displayed()
        driver.save_screenshot(screenshot)
        print(json.dumps({"labels": labels, "bar_styles": widths, "status": status, "preview_shown": preview_shown,
                          "models": [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#model option")]}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
