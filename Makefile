# pty-relay. `make run` starts the daemon; `make deps test` sets up a fresh Debian machine and tests.
SHELL := /bin/bash
NPM ?= npm
# Debian packages the tests drive for real: every netcat flavour, tmux, sshd, chromium and vim (the web
# page); gcc and strace for the cross-user attacks in test/security; stress-ng is the CPU hog of
# `make test-load`; sudo is a real password prompt for an ordinary user (test/e2e/agent-sudo.test.ts);
# python3-pytest for the reply-width comparison (test/e2e/reply-width.test.ts); bubblewrap runs the
# sandboxed sessions (test/security/sandbox*.test.ts).
TEST_DEBS := chromium vim less sqlite3 sudo netcat-openbsd netcat-traditional ncat socat busybox tmux openssh-server openssh-client git procps systemd binutils util-linux passwd gcc strace stress-ng python3-pytest bubblewrap
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build binary bench bench-quick bench-versus run test test-load test-unit test-security typecheck lint deps install uninstall clean

# `make install` puts the binary, the pty-client link and the systemd user units here.
PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/share/systemd/user

all: build

# node-pty is an optional dependency (the npm package's client commands run without it, README "On
# the laptop"), so npm goes on when it cannot be built; the server side built here needs it.
node_modules/.installed: package.json package-lock.json
	$(NPM) install --no-audit --no-fund
	@node -e "require('node-pty')" || { echo "node-pty did not install (it needs python3, make and g++): the daemon and the binary need it" >&2; exit 1; }
	touch $@

dist/main.js: node_modules/.installed $(shell find src test/bench -name '*.ts' -o -name '*.css') tsup.config.ts
	npx tsup --silent

# The native addons (src/native/: peer uid, terminal modes), built by node-gyp against this Node's
# own headers (no download).
NODE_PREFIX := $(shell node -p process.config.variables.node_prefix 2>/dev/null)
NODE_GYP_FLAGS := $(if $(wildcard $(NODE_PREFIX)/include/node/common.gypi),--nodedir=$(NODE_PREFIX))
ADDONS := dist/native/sock_diag.node dist/native/termios.node dist/native/holder_link.node
$(ADDONS) &: node_modules/.installed src/native/sock_diag.c src/native/termios.c src/native/holder_link.c src/native/holder_connect.c src/native/holder_connect.h src/native/binding.gyp
	cd src/native && npx node-gyp rebuild $(NODE_GYP_FLAGS) --loglevel=warn
	mkdir -p dist/native
	cp $(patsubst dist/native/%,src/native/build/Release/%,$(ADDONS)) dist/native/

# The session holder (holder.c): a plain C program, one process per session.
HOLDER := dist/native/pty-relay-holder
$(HOLDER): src/native/holder.c
	mkdir -p dist/native
	$(CC) -Wall -Wextra -O2 -o $@ $< -lutil

build: dist/main.js $(ADDONS) $(HOLDER)

# One self-contained executable (Node's SEA, see README "Single binary"); dist/pty-client links to it.
dist/pty-relay: dist/main.js $(ADDONS) $(HOLDER)
	set -o pipefail; node dist/build/build-binary.js 2>&1 | { grep -v "^warning: Can't find string offset" || true; }
	test -x $@

binary: dist/pty-relay

run: build
	node bin/pty-relay serve

# Two programs: Node (src, test) and the browser page (src/web + src/protocol, DOM and no Node types).
typecheck: node_modules/.installed
	npx tsc --noEmit -p .
	npx tsc --noEmit -p tsconfig.web.json

lint: typecheck

# The JSON report feeds one plain closing line ("N passed, N failed") for CI.
test: build binary typecheck
	npx vitest run --reporter=default --reporter=json --outputFile.json=dist/test-results.json; \
	  status=$$?; node test/summary.cjs dist/test-results.json; exit $$status

# The whole suite while stress-ng keeps every core busy: a test that fails only under load hides a
# race or asserts timing. The hog stops on its own after LOAD_SECONDS, and is stopped by its PID as
# soon as the suite ends, however it ends (an EXIT trap; INT and TERM exit through it). Deadlines
# (which only stop a hung test; no test asserts a duration) are stretched LOAD_DEADLINE_SCALE times.
LOAD_CPUS ?= $(shell nproc)
LOAD_SECONDS ?= 3600
LOAD_DEADLINE_SCALE ?= 3
test-load: build binary typecheck
	stress-ng --cpu $(LOAD_CPUS) --timeout $(LOAD_SECONDS)s --quiet & hog=$$!; \
	  trap 'kill $$hog 2>/dev/null; wait $$hog 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	  PTY_RELAY_TEST_DEADLINE_SCALE=$(LOAD_DEADLINE_SCALE) npx vitest run --reporter=default --reporter=json --outputFile.json=dist/test-load-results.json; \
	  status=$$?; node test/summary.cjs dist/test-load-results.json; exit $$status

test-unit: build
	npx vitest run test/unit

# The standing adversarial suite (issue 20, test/security/): fuzzing, browser drive-bys, cross-user
# attacks with a real second user (needs root).
test-security: build binary
	npx vitest run test/security

# Installs the Debian packages the tests need (needs root or sudo).
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_DEBS)

# Benchmarks (no assertions): writes bench-results/results.md and results.json. ~8 minutes;
# bench-quick (~1-2 minutes, every section with fewer samples) is the CI smoke test.
bench: binary
	node dist/bench/run.js

bench-quick: binary
	node dist/bench/run.js --quick

# This build's exec round trip against BASE's (a commit, built by its own `make build`), interleaved
# in one run: `make bench-versus BASE=6317e62^`.
BASE ?= main
bench-versus: binary
	node dist/bench/run.js --only=versus --base=$(BASE)

install: dist/pty-relay
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 dist/pty-relay $(DESTDIR)$(BINDIR)/pty-relay
	ln -sf pty-relay $(DESTDIR)$(BINDIR)/pty-client
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/pty-relay.service > $(DESTDIR)$(UNITDIR)/pty-relay.service
	install -m 644 systemd/pty-tunnel@.service $(DESTDIR)$(UNITDIR)/pty-tunnel@.service
	@echo "installed $(BINDIR)/pty-relay, $(BINDIR)/pty-client and the units in $(UNITDIR)"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pty-relay $(DESTDIR)$(BINDIR)/pty-client
	rm -f $(DESTDIR)$(UNITDIR)/pty-relay.service $(DESTDIR)$(UNITDIR)/pty-tunnel@.service

clean:
	rm -rf dist node_modules src/native/build
