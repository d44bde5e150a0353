# Commands for people and CI. `make serve` and `make test` set up everything a fresh machine lacks.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)
export NO_MKDOCS_2_WARNING := 1

.PHONY: install browser check serve build faq preview test lint format bench bench-search bench-yearly clean schemas new-guidelines a11y-report i18n-report

$(STAMP): requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# npm tools: Pagefind (the search index) and the Nu Html Checker (npm vnu-jar, run with Java).
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Headless Chromium (PDFs, browser tests), Japanese fonts, Node.js: each Debian package installed when missing
# (.ci/system-deps); Playwright's own Chromium where apt-get cannot be used.
browser: install
	.ci/system-deps $(if $(filter test,$(MAKECMDGOALS)),test)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || $(PY) -m playwright install chromium

check: install            ## validate data/ (file:line: path: reason)
	$(PY) -m macros check

serve: install            ## live preview at http://127.0.0.1:8000/ (reloads on data/, macros/, overrides/, content/)
	$(PY) -m mkdocs serve --livereload --watch data --watch macros --watch overrides

build: browser node_modules/.installed   ## everything into site/ (FAQ too when FAQ_PASSWORD or FAQ_PASSWORD_FILE is set)
	$(PY) -m macros.build site

faq: browser node_modules/.installed ## the whole site with the FAQ, as one locked build (refused without a good password)
	FAQ_REQUIRED=1 $(PY) -m macros.build site

preview: browser node_modules/.installed ## build for, and serve site/ at, http://127.0.0.1:8001/ as a host would (headers, gzip)
	SITE_URL=http://127.0.0.1:8001/ $(PY) -m macros.build site
	$(PY) -m macros.browser site 8001

test: browser node_modules/.installed lint   ## lint, then every test (browser tests included)
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check macros tests bench
	$(VENV)/bin/ruff format --check macros tests bench

format: install
	$(VENV)/bin/ruff format macros tests bench
	$(VENV)/bin/ruff check --fix macros tests bench

bench-search: browser node_modules/.installed ## search benchmark → bench/search/report.md
	$(PY) -m bench.search

bench: browser node_modules/.installed ## performance report with budgets → bench/perf/report.md (Lighthouse from npm)
	npm ci --prefix bench/perf --no-audit --no-fund --loglevel=error
	$(PY) -m bench.perf

bench-yearly: browser node_modules/.installed ## a second year's cost: build ≤ 1.5× one year's, serve rebuild ≤ 2 s → bench/yearly/report.md
	$(PY) -m bench.yearly

a11y-report: browser node_modules/.installed ## audit every page with axe-core → data/accessibility-results.yml (the statement's table)
	$(PY) -m macros.a11y

i18n-report: install      ## English fields untranslated, or older than their Japanese (from git history)
	$(PY) -m macros.i18n

schemas: install          ## regenerate schemas/*.schema.json (editor help) from macros/schema.py
	$(PY) -m macros.schemas

new-guidelines: install   ## start next year's guidelines: make new-guidelines YEAR=2025
	$(PY) -m macros.scaffold $(YEAR)

clean:
	rm -rf site .site-* .site.lock
