# Two entry points for a fresh Debian 12 machine, run as root:
#   make demo   installs everything, starts the lab, opens the app on it, tears it down on exit
#   make test   installs everything and runs the whole test suite
SHELL := /bin/bash
space := $(subst ,, )
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := courier-authdaemon courier-authlib-postgresql postgresql postfix-pgsql \
	systemd-journal-remote libsystemd-dev pkg-config gcc python3-dev python3-venv \
	tmux util-linux procps iproute2 logrotate postfix maildrop courier-imap courier-pop
# The lab runs its own imapd and pop3d: the packages' own services are never started here.
LAB_ONLY_SERVICES := courier-imap courier-pop

.PHONY: demo test install system-packages lint clean dist

demo: install
	$(BIN)/authlib-tui lab demo

test: install
	$(BIN)/ruff check tui tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -ra

# mypy reads what to check from pyproject.toml: tui, tests and bench; tui.core strictly.
lint: install
	$(BIN)/ruff check tui tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

install: system-packages $(VENV)/.installed

# apt only when something is missing: a second run costs one dpkg query.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages: $$missing"; \
		echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; \
		echo "postfix postfix/mailname string lab.invalid" | debconf-set-selections; \
		policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
			policy=/usr/sbin/policy-rc.d; \
			printf '%s\n' '#!/bin/sh' '# authlib-tui make: the lab-only services stay stopped' \
				'for a; do case "$$a" in $(subst $(space),|,$(LAB_ONLY_SERVICES))) exit 101;; esac; done' \
				'exit 0' > $$policy; chmod 755 $$policy; \
		fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
			-o Dpkg::Options::=--force-confold >/dev/null; status=$$?; \
		if [ -n "$$policy" ]; then rm -f $$policy; fi; \
		[ $$status -eq 0 ] || exit $$status; \
		for service in $(LAB_ONLY_SERVICES); do \
			case " $$missing " in *" $$service "*) \
				if command -v systemctl >/dev/null; then \
					systemctl disable --quiet $$service 2>/dev/null || true; fi;; \
			esac; \
		done; \
	fi
	@# The lab runs its own Postfix. An unconfigured system instance (no main.cf: the
	@# "No configuration" install above) is kept from starting and listening on port 25;
	@# a configured one is somebody's mail server and is left alone.
	@if [ ! -e /etc/postfix/main.cf ] && command -v systemctl >/dev/null \
		&& systemctl is-enabled --quiet postfix 2>/dev/null; then \
		systemctl disable --quiet postfix 2>/dev/null || true; \
		if [ -d /run/systemd/system ]; then systemctl stop postfix 2>/dev/null || true; fi; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# The wheel a mail server installs (README: "Install on a mail server"): dist/authlib_tui-*.whl.
dist: $(VENV)/.installed
	rm -rf dist
	$(BIN)/python -m pip wheel -q --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis dist
