# Two entry points for a fresh machine (see README): `make run` and `make test`.
# Both create the project-local virtual environment .venv/ and install into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python is built from source: keep the build portable across CPUs of this kind.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF
export PIP_DISABLE_PIP_VERSION_CHECK := 1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run install test install-test browser clean-index

run: install  ## install, build the index of the bundled corpus, start the chat UI on 127.0.0.1:7860
	$(BIN)/rag index
	$(BIN)/rag ui

test: install-test  ## install with test tools, lint and type-check, run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[local]"

install-test: $(BIN)/python browser  ## the tests run the Milvus store too, so they install its extra
	$(BIN)/python -m pip install --quiet -e ".[local,test,milvus]"

browser:  ## Debian's Chromium (and CJK fonts) for the browser tests; Playwright never downloads a browser
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; }

clean-index:  ## delete the index of the bundled corpus (it is rebuilt on next use)
	rm -rf index/v-* index/s-* index/CURRENT index/NEXT index/.lock index/.milvus.lock index/milvus.db
