.PHONY: run test test-sqlite i18n bench lint

run:  ## install, migrate, load the demo block on first run, serve on http://127.0.0.1:8000
	scripts/run

test:  ## the whole suite on SQLite and PostgreSQL
	scripts/test

test-sqlite:
	scripts/setup-venv test && BLOCK_TEST_DATABASE=sqlite .venv/bin/python -m pytest -W error::DeprecationWarning

i18n:  ## extract strings into the catalogues
	scripts/i18n

bench:  ## benchmark on SQLite (see README)
	scripts/setup-venv test && .venv/bin/python bench/run.py --engine sqlite

lint:
	.venv/bin/ruff check .
