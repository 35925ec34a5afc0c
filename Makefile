# The two commands of README.md: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DISTDIR ?= dist
BUILDDIR ?= build

.PHONY: run test lint pytest catalogs messages dist dist-tar clean

# Both distributions, editable: the desktop (pyproject.toml) and the server
# (installer/server/pyproject.toml), which share passerelle_core.
$(STAMP): pyproject.toml installer/server/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,build]' -e ./installer/server
	touch $(STAMP)

## Install and launch the desktop application (a demo profile is created if none exists).
run: $(STAMP) catalogs
	$(BIN)/passerelle

## Compile the committed translation sources (resources/locale/*/LC_MESSAGES/*.po).
catalogs: $(STAMP)
	$(BIN)/pybabel -q compile --domain passerelle --directory resources/locale --statistics

## For developers: refresh the template and the catalogs from the source code.
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 \
		-k pgettext:1c,2 -k npgettext:1c,2,3 -k NC_:1c,2 --no-wrap \
		--sort-by-file --project=Passerelle -o resources/locale/passerelle.pot app passerelle_core
	$(BIN)/pybabel -q update --domain passerelle --input-file resources/locale/passerelle.pot \
		--output-dir resources/locale --no-wrap --ignore-obsolete

## Install and run every check: lint, types, the whole test suite (slow tests included).
test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

pytest: $(STAMP) catalogs
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -n 2 --dist loadfile

## Build the desktop client as a one-folder bundle: $(DISTDIR)/passerelle (PyInstaller).
dist: $(STAMP) catalogs
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath $(DISTDIR) \
		--workpath $(BUILDDIR) installer/passerelle.spec

## The bundle as $(DISTDIR)/passerelle-<version>-linux-<arch>.tar.gz, with its install script.
dist-tar: dist
	sh installer/linux/make-tarball.sh $(DISTDIR) $(BUILDDIR)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
