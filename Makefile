# lorad: build, test and demo. `make test` and `make demo` are the two entry points.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
LIBDIR ?= $(PREFIX)/lib
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
DOCDIR ?= $(PREFIX)/share/doc/lorad
INSTALL ?= install
# `make install` builds these with the Swift runtime linked in statically, so the
# result needs only Debian's shared libraries (see README, "Installing as a service").
PROGRAMS = lorad loractl lorad-bench
RELEASE_FLAGS = -c release --static-swift-stdlib
RELEASE_BIN ?= .build/release
# The installed programs are stripped of debug symbols; STRIP_FLAG= keeps them.
STRIP_FLAG ?= -s

.PHONY: all deps build release release-static test swift-test python-test python-venv demo bench clean install uninstall check-units system-test fuzz fuzz-smoke

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

release-static: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Installs the programs, the systemd units (ExecStart rewritten to BINDIR and
# SYSCONFDIR), the sysusers.d and tmpfiles.d snippets, the README and, only when
# none is there yet, the example config as $(SYSCONFDIR)/lorad/lorad.toml.
# SKIP_BUILD=1 installs what `make release-static` built before (for `sudo`, whose
# PATH may lack swift and which should not own files in .build).
ifeq ($(SKIP_BUILD),)
install: release-static
endif
install:
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(BINDIR)"
	for p in $(PROGRAMS); do $(INSTALL) $(STRIP_FLAG) -m 0755 "$(RELEASE_BIN)/$$p" "$(DESTDIR)$(BINDIR)/$$p" || exit 1; done
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(SYSTEMDUNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)" "$(DESTDIR)$(TMPFILESDIR)" "$(DESTDIR)$(DOCDIR)"
	sed -e 's#/usr/bin/lorad#$(BINDIR)/lorad#g' -e 's#/etc/lorad/#$(SYSCONFDIR)/lorad/#g' \
	    -e 's#/usr/share/doc/lorad/#$(DOCDIR)/#g' systemd/lorad.service > "$(DESTDIR)$(SYSTEMDUNITDIR)/lorad.service"
	sed -e 's#/usr/share/doc/lorad/#$(DOCDIR)/#g' systemd/lorad.socket > "$(DESTDIR)$(SYSTEMDUNITDIR)/lorad.socket"
	chmod 0644 "$(DESTDIR)$(SYSTEMDUNITDIR)/lorad.service" "$(DESTDIR)$(SYSTEMDUNITDIR)/lorad.socket"
	$(INSTALL) -m 0644 systemd/sysusers.d/lorad.conf "$(DESTDIR)$(SYSUSERSDIR)/lorad.conf"
	$(INSTALL) -m 0644 systemd/tmpfiles.d/lorad.conf "$(DESTDIR)$(TMPFILESDIR)/lorad.conf"
	$(INSTALL) -m 0644 README.md docs/CONFIG.md etc/lorad.toml.example "$(DESTDIR)$(DOCDIR)/"
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/lorad"
	if [ -e "$(DESTDIR)$(SYSCONFDIR)/lorad/lorad.toml" ]; then \
	    echo "install: keeping the existing $(DESTDIR)$(SYSCONFDIR)/lorad/lorad.toml"; \
	else \
	    $(INSTALL) -m 0644 etc/lorad.toml.example "$(DESTDIR)$(SYSCONFDIR)/lorad/lorad.toml"; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
	    echo "install: now run: systemd-sysusers; systemd-tmpfiles --create lorad.conf; systemctl daemon-reload; systemctl enable --now lorad.socket"; \
	fi

# systemd-analyze verify and security (exposure at most 2.0) on the units.
check-units:
	@./systemd/check-units.sh

# Boots Debian 12 under systemd-nspawn with lorad installed and checks the units
# under a real systemd (Tests/System/run.sh; root; the Debian root is cached).
system-test: release-static
	SKIP_BUILD=1 ./Tests/System/run.sh

# Removes what `make install` put in place, except the config and the store.
uninstall:
	for p in $(PROGRAMS); do rm -f "$(DESTDIR)$(BINDIR)/$$p"; done
	rm -f "$(DESTDIR)$(SYSTEMDUNITDIR)/lorad.service" "$(DESTDIR)$(SYSTEMDUNITDIR)/lorad.socket" \
	    "$(DESTDIR)$(SYSUSERSDIR)/lorad.conf" "$(DESTDIR)$(TMPFILESDIR)/lorad.conf"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/lorad and /var/lib/lorad (remove them by hand if you mean to)"

# The Swift tests, then (only when they pass, also under -j) the Python client's tests
# against the lorad they just built.
test: swift-test
	@$(MAKE) --no-print-directory python-test

swift-test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# The Python client's tests (clients/python/tests) run from the source tree, with the
# pinned dependencies of clients/python/requirements-test.txt in a venv outside the
# clone that scripts/python-venv.sh creates once (see README). They start the debug
# lorad and loractl from LORAD_BIN_DIR. pytest's exit status 5 (no tests collected)
# fails this target like any other.
PYTHON_TESTS = clients/python/tests

python-venv: deps
	@./scripts/python-venv.sh >/dev/null

python-test: deps
	$(SWIFT) build
	@venv=$$(./scripts/python-venv.sh) || exit 1; \
	status=0; \
	PYTHONPATH=clients/python/src LORAD_BIN_DIR=$(CURDIR)/.build/debug \
	    "$$venv/bin/python" -m pytest $(PYTHON_TESTS) -q || status=$$?; \
	if [ "$$status" -eq 5 ]; then echo "python-test: pytest collected no tests in $(PYTHON_TESTS): failing" >&2; fi; \
	exit $$status

# libFuzzer targets (Fuzz/, its own package and scratch path .build-fuzz; see Fuzz/README.md).
# `make fuzz` runs the five targets one after another for FUZZ_SECONDS in all (an hour by
# default); `make fuzz-smoke` replays the corpora and runs each target for 30 s (for CI).
FUZZ_SECONDS ?= 3600
FUZZ_TARGETS = frames safetensors toml pack adapter

fuzz: deps
	./Fuzz/run.sh $$(( $(FUZZ_SECONDS) / 5 )) $(FUZZ_TARGETS)

fuzz-smoke: deps
	./Fuzz/run.sh 30 $(FUZZ_TARGETS)

# The soak (Benchmarks/soak/run.sh): 256 clients against a private lorad, every reply
# checked, lorad's RSS, descriptors and threads sampled each second and back to the
# baseline at the end. `make soak` runs it for SOAK_SECONDS (10 minutes) on release binaries
# it builds; `make soak-ci` for 60 s on the binaries `make release-static` built (CI has them
# from the system test).
SOAK_SECONDS ?= 600
.PHONY: soak soak-ci faults

soak: deps
	SOAK_SECONDS=$(SOAK_SECONDS) ./Benchmarks/soak/run.sh

soak-ci: release-static
	SOAK_SECONDS=60 LORAD_BIN_DIR=$(CURDIR)/$(RELEASE_BIN) ./Benchmarks/soak/run.sh

# The fault tests (Tests/Faults/run.sh): SIGKILL at random instants during import, remove,
# gc and reload (50 trials), a corrupted pack, a full file system (an 8 MiB tmpfs; root).
faults: release-static
	LORAD_BIN_DIR=$(CURDIR)/$(RELEASE_BIN) ./Tests/Faults/run.sh

demo: deps
	@./scripts/demo.sh

bench: deps
	@./Benchmarks/run.sh

clean:
	rm -rf .build
