# Draw-a-digit page (server/static/, served at /): browser tests in headless Debian Chromium.
.PHONY: test-page screenshots-page

test-page: setup system-deps ## run the page's tests: HTTP checks + headless Chromium against the real server
	$(BIN)/python -m pytest tests/server/test_page.py tests/browser

screenshots-page: setup system-deps ## re-take docs/screenshots/page-*.png with the browser tests
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest tests/browser
