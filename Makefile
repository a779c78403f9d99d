# pty-relay. `make run` starts the daemon; `make deps test` sets up a fresh Debian machine and tests.
SHELL := /bin/bash
NPM ?= npm
# Debian packages the tests drive for real: every netcat flavour, tmux, sshd.
TEST_DEBS := netcat-openbsd netcat-traditional ncat socat busybox tmux openssh-server openssh-client git procps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build run test test-unit typecheck lint deps clean

all: build

node_modules/.installed: package.json package-lock.json
	$(NPM) install --no-audit --no-fund
	touch $@

dist/main.js: node_modules/.installed $(shell find src -name '*.ts') tsup.config.ts
	npx tsup --silent

build: dist/main.js

run: build
	node bin/pty-relay serve

typecheck: node_modules/.installed
	npx tsc --noEmit -p .

lint: typecheck

# The JSON report feeds one plain closing line ("N passed, N failed") for CI.
test: build typecheck
	npx vitest run --reporter=default --reporter=json --outputFile.json=dist/test-results.json; \
	  status=$$?; node test/summary.cjs dist/test-results.json; exit $$status

test-unit: node_modules/.installed
	npx vitest run test/unit

# Installs the Debian packages the tests need (needs root or sudo).
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_DEBS)

clean:
	rm -rf dist node_modules
