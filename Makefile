# optimist: build, test, demo, install. Every target installs libsqlite3-dev when it is missing.
SWIFT   ?= swift
PREFIX  ?= /usr/local
SCRATCH ?= .build
RELEASE := $(SCRATCH)/release/optimist
SCHEMA_SWIFT := Sources/OptimistSQLite/Schema.swift
PG_SCHEMA_SWIFT := Sources/OptimistPostgres/Schema.swift

# optimist's version and commit (Packaging/version.sh: from `git describe`, e.g.
# 0.1.0+183.gc52987a and its 40-digit hash), exported to every `swift build` and `swift test`:
# Package.swift compiles them in for `optimist --version` and `doctor`, and they name the
# archive and the packages. In a `git archive` tarball they come from
# Packaging/git-archival.txt; in any other copy without .git they are 0.1.0 and "unknown",
# unless given: `make dist OPTIMIST_VERSION=0.1.0 OPTIMIST_COMMIT=<hash>`. SOURCE_DATE_EPOCH (the commit's
# time) dates the archive's files and the packages' changelog, so the same commit gives the
# same archive.
VERSION_AND_COMMIT := $(shell sh Packaging/version.sh)
OPTIMIST_VERSION ?= $(word 1,$(VERSION_AND_COMMIT))
OPTIMIST_COMMIT ?= $(word 2,$(VERSION_AND_COMMIT))
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export OPTIMIST_VERSION OPTIMIST_COMMIT

.PHONY: lint build build-cli static-libs test readme-test demo-test demo install install-files dist deb package-test clean deps \
  schema bench bench-render bench-test stress stress-serve fuzz

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# Debian packages a target needs, installed only when missing: "header-or-command:package"
# (a path may be a glob: the PostgreSQL server's binaries are under /usr/lib/postgresql/N/bin).
DEPS := /usr/include/sqlite3.h:libsqlite3-dev /usr/include/postgresql/libpq-fe.h:libpq-dev \
  /usr/include/openssl/ssl.h:libssl-dev
PG_SERVER := /usr/lib/postgresql/*/bin/initdb:postgresql
PG_RUN := bash Tests/Scripts/pg-server.sh run

deps:
	@missing=""; for d in $(DEPS); do \
	  f=$${d%%:*}; p=$${d##*:}; \
	  if [ "$${f#/}" != "$$f" ]; then set -- $$f; [ -e "$$1" ] || missing="$$missing $$p"; \
	  else command -v "$$f" >/dev/null || missing="$$missing $$p"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

# The shipped binary is fully static: no dynamic loader, no Swift runtime or SQLite to find.
STATIC := -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path $(SCRATCH)

# optimist: static, SQLite only. optimist-pg: the same commands, with libpq (its own scratch
# folder: other link flags), placed beside optimist, which execs it for a
# PostgreSQL URL. optimist-serve: the HTTP server (SwiftNIO, Hummingbird, libpq), which
# `optimist serve` execs.
# `build-cli` leaves out optimist-serve, whose first release build (SwiftNIO) takes minutes:
# `make stress` needs only the CLI.
# The helpers link the Swift runtime statically, and the C++ library it needs too: the
# runtime's link line asks for -lstdc++, and the linker looks in the -L folders given here
# before the compiler's own (where libstdc++.so is), so a folder holding only libstdc++.a
# (a link to the compiler's) makes it static. The dynamic loader then has one library less
# to load, bind and initialize at every start (BENCHMARKS.md, PostgreSQL); libpq and the
# libraries it pulls in use no C++.
# libpq is linked statically: the helpers are built with PKG_CONFIG_PATH naming a libpq.pc
# written here (CLibPQ's module map links nothing itself), whose -loptimist-libpq is one
# archive of Debian's libpq.a (libpq-dev) and the two PostgreSQL libraries it is built against
# (libpgcommon_shlib.a and libpgport_shlib.a, from postgresql-server-dev-N of libpq's major
# version N), and adds the OpenSSL libraries libpq.a calls, which stay shared (security
# updates reach them). libpq.so would make the loader open, relocate and bind twenty
# libraries at every start (GSSAPI brings Kerberos, LDAP brings SASL and GnuTLS): about
# 2.5 ms of a PostgreSQL call (BENCHMARKS.md). GSSAPI and LDAP are loaded only when libpq
# calls them (Sources/CLibPQOnDemand: a Kerberos login, GSSAPI encryption, an ldap://
# service lookup), by the sonames libpq.so names, passed here (a libpq built without one
# never calls its functions). No $ORIGIN run path: nothing is installed beside the helpers
# for the loader to look for there first.
PG_MAJOR = $(shell pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
PG_LIBDIR = $(shell pg_config --libdir 2>/dev/null)
PG_SONAME = $(shell objdump -p $(PG_LIBDIR)/libpq.so 2>/dev/null | sed -n 's/^ *NEEDED *\($(1)[^ ]*\)$$/\1/p')
STATIC_LIBS := $(abspath $(SCRATCH))/pg/static
SONAME_DEFINE = $(if $(call PG_SONAME,$(1)),-Xcc -DOPTIMIST_$(2)_LIBRARY='"$(call PG_SONAME,$(1))"')
HELPERS = -c release --static-swift-stdlib --disable-local-rpath --scratch-path $(SCRATCH)/pg -Xlinker -L$(STATIC_LIBS) \
  $(call SONAME_DEFINE,libgssapi,GSSAPI) $(call SONAME_DEFINE,libldap,LDAP)
HELPERS_BUILD := PKG_CONFIG_PATH=$(STATIC_LIBS) $(SWIFT) build
STATIC_DEPS := objdump:binutils /usr/lib/postgresql/*/lib/libpgcommon_shlib.a:postgresql-server-dev-all
static-libs: DEPS += $(STATIC_DEPS)
static-libs: deps
	@mkdir -p $(STATIC_LIBS)
	@library=$$($${CC:-cc} -print-file-name=libstdc++.a); \
	  [ -f "$$library" ] || { echo "no libstdc++.a ($$library): apt-get install libstdc++-12-dev"; exit 1; }; \
	  ln -sf "$$library" $(STATIC_LIBS)/libstdc++.a
	@server=/usr/lib/postgresql/$(PG_MAJOR)/lib; \
	  for f in $(PG_LIBDIR)/libpq.a $$server/libpgcommon_shlib.a $$server/libpgport_shlib.a; do \
	    [ -f "$$f" ] || { echo "no $$f: apt-get install libpq-dev postgresql-server-dev-$(PG_MAJOR)"; exit 1; }; \
	  done; \
	  rm -f $(STATIC_LIBS)/liboptimist-libpq.a; \
	  printf 'create %s\naddlib %s\naddlib %s\naddlib %s\nsave\nend\n' $(STATIC_LIBS)/liboptimist-libpq.a \
	    $(PG_LIBDIR)/libpq.a $$server/libpgcommon_shlib.a $$server/libpgport_shlib.a | ar -M; \
	  printf '%s\n' 'Name: libpq' 'Description: libpq.a and what it needs (Makefile: static-libs)' \
	    "Version: $$(pg_config --version | cut -d' ' -f2)" "Cflags: -I$$(pg_config --includedir)" \
	    'Libs: -L$(STATIC_LIBS) -loptimist-libpq -lssl -lcrypto' >$(STATIC_LIBS)/libpq.pc

build: build-cli
	$(HELPERS_BUILD) $(HELPERS) --product optimist-serve
	install -m 0755 $(SCRATCH)/pg/release/optimist-serve $(RELEASE)-serve

build-cli: DEPS += $(STATIC_DEPS)
build-cli: deps static-libs
	$(SWIFT) build $(STATIC) --product optimist
	$(HELPERS_BUILD) $(HELPERS) --product optimist-pg
	install -m 0755 $(SCRATCH)/pg/release/optimist-pg $(RELEASE)-pg

# Every test, then the CLI contract again against PostgreSQL, with a throwaway server
# (started as the postgres user, stopped afterwards even on failure). The second pass leaves
# out what only concerns SQLite files and what does not touch a store (FastSyntaxTests).
# Then Square's Python SDK drives `optimist serve` on both engines (Tests/Scripts/sdk-tests.sh:
# a virtual environment under SCRATCH with squareup from PyPI), and the README's examples run
# on PostgreSQL (then on SQLite, with `make demo`'s tour: readme-test below).
PG_ONLY_SQLITE := DatabasePathTests|StorageErrorTests|FastSyntaxTests|PowerLossTests|SQLite|PostgresCLITests
VENV := /usr/lib/python3*/ensurepip/__init__.py:python3-venv
test: DEPS += sqlite3:sqlite3 strace:strace python3:python3 jq:jq uuidgen:uuid-runtime openssl:openssl \
  $(VENV) $(PG_SERVER)
test: deps lint
	$(SWIFT) build --build-tests --scratch-path $(SCRATCH)
	$(PG_RUN) sh -c '$(SWIFT) test --skip-build --scratch-path $(SCRATCH) && \
	  OPTIMIST_TEST_ENGINE=postgresql $(SWIFT) test --skip-build --scratch-path $(SCRATCH) \
	    --filter optimistTests --skip "$(PG_ONLY_SQLITE)" && \
	  bash Tests/Scripts/sdk-tests.sh $(SCRATCH)/debug/optimist $(SCRATCH) && \
	  python3 Tests/Scripts/readme_test.py --engine postgresql --bin $(SCRATCH)/debug/optimist'
	$(MAKE) --no-print-directory readme-test

# The README's examples and Scripting scripts, in order, against the debug binary (which
# `make test` builds), after the checker's own self-test (it must fail on an altered README).
# About 20 seconds; needs jq and uuidgen, as the examples do. This is the SQLite pass; `make
# test` also runs it on PostgreSQL (--engine postgresql) inside its throwaway server's run.
readme-test:
	python3 Tests/Scripts/readme_test.py --self-test --bin $(SCRATCH)/debug/optimist
	python3 Tests/Scripts/readme_test.py --bin $(SCRATCH)/debug/optimist
	@$(MAKE) --no-print-directory demo-test

# `make demo` against the debug build: every step checks its own exit code, and the tour must
# reach each part (edit, batch, wait, history, payments, serve). A few seconds.
demo-test:
	@mkdir -p $(SCRATCH)
	OPTIMIST=$(SCRATCH)/debug/optimist sh Tests/Scripts/demo.sh >$(SCRATCH)/demo.log 2>&1 || \
	  { cat $(SCRATCH)/demo.log; exit 1; }
	@for part in '$$ optimist edit' '$$ optimist batch' 'wait returned' '$$ optimist history' \
	  '$$ optimist create-payment' '$$ optimist serve' '-> HTTP 400' 'Done:'; do \
	  grep -qF -- "$$part" $(SCRATCH)/demo.log || { echo "make demo never showed: $$part"; exit 1; }; \
	done; echo "demo test: ok"

# The formatter's rules (.swift-format), strictly: `swift format -i -r Sources Tests` applies
# them. Run first by `make test`.
lint:
	$(SWIFT) format lint --strict -r Sources Tests

demo: build
	@OPTIMIST=$(RELEASE) sh Tests/Scripts/demo.sh

install: build
	@$(MAKE) --no-print-directory install-files BIN=$(RELEASE)

# The binaries (optimist, and optimist-pg and optimist-serve beside it), optimist's bash, zsh
# and fish completions and the man pages, each where that shell and `man` look under PREFIX
# (DESTDIR, if given, is put before it: `make dist` and `make deb` stage there); optimist's
# scripts and page are written by the binary from the same declarations as its help, the
# helpers' short pages are Packaging/man. `make install` runs it after building; BIN is the
# binary.
BIN ?= $(RELEASE)
SHARE = $(DESTDIR)$(PREFIX)/share
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/bash-completion/completions \
	  $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d $(SHARE)/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/optimist
	install -m 0755 $(BIN)-pg $(DESTDIR)$(PREFIX)/bin/optimist-pg
	install -m 0755 $(BIN)-serve $(DESTDIR)$(PREFIX)/bin/optimist-serve
	install -m 0644 Packaging/man/optimist-pg.1 Packaging/man/optimist-serve.1 $(SHARE)/man/man1/
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(BIN) --generate-completion-script bash >$$tmp/bash && \
	  $(BIN) --generate-completion-script zsh >$$tmp/zsh && \
	  $(BIN) --generate-completion-script fish >$$tmp/fish && \
	  $(BIN) --generate-manual >$$tmp/man && \
	  install -m 0644 $$tmp/bash $(SHARE)/bash-completion/completions/optimist && \
	  install -m 0644 $$tmp/zsh $(SHARE)/zsh/site-functions/_optimist && \
	  install -m 0644 $$tmp/fish $(SHARE)/fish/vendor_completions.d/optimist.fish && \
	  install -m 0644 $$tmp/man $(SHARE)/man/man1/optimist.1

# Release files, in $(DIST): the archive optimist-VERSION-linux-ARCH.tar.gz (`make dist`),
# the Debian packages (`make deb`) and SHA256SUMS, the checksums of this version's files there.
# The archive holds one folder laid out as under a PREFIX: bin/ with the three binaries,
# share/ with the completions and man pages (`install-files`), and share/doc/optimist/ with
# the README; unpacked with --strip-components=1 into PREFIX it is `make install`'s layout.
# The binaries are stripped, as in the packages (optimist-serve: 116 MB with its symbols).
# Its files belong to root and carry the commit's time, sorted, gzip without a timestamp: the
# same binaries give the same bytes. (There is no licence file to ship: the repository states
# no licence yet.)
ARCH := $(shell dpkg --print-architecture 2>/dev/null || uname -m)
DIST := $(SCRATCH)/dist
DIST_NAME := optimist-$(OPTIMIST_VERSION)-linux-$(ARCH)
SUMS = cd $(DIST) && sha256sum $$(ls $(DIST_NAME).tar.gz optimist*_$(OPTIMIST_VERSION)_$(ARCH).deb 2>/dev/null) >SHA256SUMS
dist: DEPS += strip:binutils
dist: build
	rm -rf $(DIST)/$(DIST_NAME) $(DIST)/optimist-*.tar.gz
	@$(MAKE) --no-print-directory install-files DESTDIR=$(abspath $(DIST))/$(DIST_NAME) PREFIX=
	install -d $(DIST)/$(DIST_NAME)/share/doc/optimist
	install -m 0644 README.md $(DIST)/$(DIST_NAME)/share/doc/optimist/README.md
	strip $(DIST)/$(DIST_NAME)/bin/optimist $(DIST)/$(DIST_NAME)/bin/optimist-pg $(DIST)/$(DIST_NAME)/bin/optimist-serve
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$(SOURCE_DATE_EPOCH) \
	  -C $(DIST) -cf - $(DIST_NAME) | gzip -9n >$(DIST)/$(DIST_NAME).tar.gz
	rm -rf $(DIST)/$(DIST_NAME)
	$(SUMS)

# The Debian packages optimist (the static CLI, completions, man page), optimist-pg and
# optimist-serve (each holds libpq and Depends on optimist, libssl3 and the GSSAPI and LDAP
# libraries libpq loads on demand; optimist-serve on libsqlite3-0 too),
# built by debhelper from the binaries `make build` made: Packaging/debian is copied to a
# staging folder, its changelog written for this version, the files staged by install-files
# (PREFIX=/usr) in staged/, then `dpkg-buildpackage -b` (binary packages only: the Swift
# toolchain is not a Debian package, so there is no source package to build them from).
# lintian must find neither an error nor a warning (Packaging/debian/*.lintian-overrides say
# why each override is there).
DEB := $(SCRATCH)/deb
MAINTAINER := $(shell sed -n 's/^Maintainer: //p' Packaging/debian/control)
DEB_DEPS := dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian
deb: DEPS += $(DEB_DEPS)
deb: build
	rm -rf $(DEB) $(DIST)/optimist*.deb
	mkdir -p $(DEB)/optimist $(DIST)
	cp -R Packaging/debian $(DEB)/optimist/debian
	cp README.md $(DEB)/optimist/
	printf '%s\n' "optimist ($(OPTIMIST_VERSION)) unstable; urgency=medium" "" \
	  "  * Built from commit $(OPTIMIST_COMMIT)." "" \
	  " -- $(MAINTAINER)  $$(LC_ALL=C date -u -R -d @$(SOURCE_DATE_EPOCH))" >$(DEB)/optimist/debian/changelog
	@$(MAKE) --no-print-directory install-files DESTDIR=$(abspath $(DEB))/optimist/staged PREFIX=/usr
	cd $(DEB)/optimist && dpkg-buildpackage -b --no-pre-clean -us -uc
	mv $(DEB)/optimist*_$(OPTIMIST_VERSION)_$(ARCH).deb $(DIST)/
	lintian --fail-on error,warning $(DIST)/optimist*_$(OPTIMIST_VERSION)_$(ARCH).deb
	$(SUMS)

# What a user without Swift gets (Tests/Scripts/package_tests.py): checks SHA256SUMS, installs
# the packages with apt-get, runs the seed flow, `optimist serve` and a PostgreSQL URL with
# /usr/bin/optimist away from this tree and with no Swift on PATH, renders the man page,
# completes `optimist upd` with bash-completion, purges and finds every file gone; then the
# same flow from the archive unpacked into a temporary PREFIX. Needs root (apt-get, the
# throwaway PostgreSQL server); about a minute after the packages are built.
package-test: DEPS += $(DEB_DEPS) /usr/share/bash-completion/bash_completion:bash-completion man:man-db \
  curl:curl python3:python3 $(PG_SERVER)
package-test: dist deb
	$(PG_RUN) python3 Tests/Scripts/package_tests.py --dist $(DIST) --version $(OPTIMIST_VERSION) --arch $(ARCH)

clean:
	rm -rf $(SCRATCH) .build-fuzz

# Benchmarks (Tests/Scripts/bench): `measure` runs the parts into a results file (JSON) under
# $(SCRATCH)/bench, beside its work folder of raw measurements (hyperfine JSON, strace and
# callgrind files); `render` writes BENCHMARKS.md from that file and measures nothing. About
# 30 minutes on 2 cores, plus the build. Commits nothing, never part of `make test`; nothing
# asserts a time. PARTS measures only those parts again (make bench PARTS=callgrind; parts:
# sqlite callgrind durability pg edit serve events), merged into the existing results file;
# `make bench-render` renders again without measuring. BENCH_BASELINE is the `before` set of
# the before/after section (a results file, or a baseline file; empty: no such section);
# BENCH_FLAGS=--quick shrinks every run, to try the benchmark, not to quote it.
# BENCH_BEFORE=path/to/an/older/optimist adds the part versus: get and update with that binary
# against this one in the same run (and the part serve's versioned PUTs against its server); BENCH_BEFORE_LABEL says what it is (e.g. "commit 2d51585").
BENCH := python3 Tests/Scripts/bench
BENCH_RESULTS := $(SCRATCH)/bench/results.json
BENCH_BASELINE ?= Tests/Scripts/bench/baseline.json
BENCH_FLAGS ?=
PARTS ?=
bench: DEPS += hyperfine:hyperfine jq:jq sqlite3:sqlite3 valgrind:valgrind strace:strace /usr/bin/time:time cc:gcc curl:curl \
  python3:python3 readelf:binutils wrk:wrk $(PG_SERVER)
bench: build
	mkdir -p $(SCRATCH)/bench
	$(if $(PARTS),,rm -f $(BENCH_RESULTS))
	$(BENCH) measure --bin $(RELEASE) --out $(BENCH_RESULTS) $(if $(PARTS),--only $(PARTS)) $(BENCH_FLAGS) \
	  $(if $(BENCH_BEFORE),--before-bin $(BENCH_BEFORE) --before-label "$(or $(BENCH_BEFORE_LABEL),$(BENCH_BEFORE))")
	@$(MAKE) --no-print-directory bench-render

bench-render:
	$(BENCH) render $(BENCH_RESULTS) $(if $(BENCH_BASELINE),--baseline $(BENCH_BASELINE)) >BENCHMARKS.md.tmp
	mv BENCHMARKS.md.tmp BENCHMARKS.md

# The benchmark's own tests (the renderer on a small fixture, the merging of parts): under a
# second, so `make test` runs them too.
bench-test:
	python3 -m unittest discover -s Tests/Scripts/bench -t Tests/Scripts/bench -q
test: bench-test

# Reliability: crashes (SIGKILL), 16-process contention and a held lock against the release
# binary; power cuts through the test-only optimist-powerloss (Tests/PowerLoss), with its
# negative controls; the same crashes, contention and lock on PostgreSQL, plus SIGKILL of the
# whole server mid-load and clients on two hosts (network namespaces; needs root); a failover
# (failover_pg.py: a primary and its synchronous hot standby, the primary SIGKILLed mid-load,
# the standby promoted, nothing acknowledged lost; then the same on an asynchronous standby
# whose WAL receiver is stopped, which must lose a write; about a minute); then the fuzz
# target. Bounded to a few minutes (STRESS_SECONDS per timed phase, POWERLOSS_SECONDS for the
# power cuts).
STRESS_SECONDS ?= 45
POWERLOSS_SECONDS ?= 150
FUZZ_SECONDS ?= 60
POWERLOSS := $(SCRATCH)/release/optimist-powerloss
stress: DEPS += sqlite3:sqlite3 python3:python3 ip:iproute2 $(PG_SERVER)
stress: build-cli fuzz
	python3 Tests/Scripts/stress.py --bin $(RELEASE) --kills 300 --seconds $(STRESS_SECONDS)
	$(SWIFT) build $(STATIC) --product optimist-powerloss
	python3 Tests/Scripts/powerloss.py --powerloss $(POWERLOSS) --optimist $(RELEASE) --cuts 300 \
	  --seconds $(POWERLOSS_SECONDS)
	python3 Tests/Scripts/stress_pg.py --bin $(RELEASE) --kills 150 --seconds $(STRESS_SECONDS)
	python3 Tests/Scripts/failover_pg.py --bin $(RELEASE)
	$(MAKE) --no-print-directory stress-serve

# `optimist serve` against slow and hostile clients (Tests/Scripts/serve_stress.py): trickled
# heads, endless bodies, oversized heads, unread 401/413 bodies, 2,000 connections under
# `ulimit -n 1024`, SIGTERM with half-sent bodies; on SQLite and PostgreSQL. About a minute.
# The debug optimist-serve (built already by `make test`; a release build of SwiftNIO takes
# minutes more).
stress-serve: DEPS += python3:python3 $(PG_SERVER)
stress-serve: deps
	$(SWIFT) build --product optimist-serve --scratch-path $(SCRATCH)
	$(PG_RUN) python3 Tests/Scripts/serve_stress.py --serve $(SCRATCH)/debug/optimist-serve

# libFuzzer over the code that turns command-line values into validated requests: the core's
# sources alone (it links no engine).
FUZZ := .build-fuzz/fuzz-requests
fuzz: deps
	@mkdir -p .build-fuzz/corpus
	@rm -f $(FUZZ)
	swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name OptimistCore -package-name optimist \
	  $$(find Sources/OptimistCore -name '*.swift') Tests/Fuzz/FuzzRequests.swift \
	  -o $(FUZZ) 2>.build-fuzz/build.log || { cat .build-fuzz/build.log; exit 1; }
	cp Tests/Fuzz/corpus/* .build-fuzz/corpus/
	timeout $$(( $(FUZZ_SECONDS) + 60 )) $(FUZZ) -max_total_time=$(FUZZ_SECONDS) -max_len=1024 \
	  -artifact_prefix=.build-fuzz/ .build-fuzz/corpus

# Regenerates the SQL the binaries embed from Schema/*.sql (SQLite) and Schema/postgresql/*.sql,
# and the webhook tables from each folder's on-demand/webhooks.sql (tests check they are equal),
# then formats it as the rest of the sources.
schema:
	@gen() { dir=$$1; name=$$2; out=$$3; doc=$$4; \
	  { echo '// Generated from '"$$dir"'*.sql by `make schema`; a test checks it matches.'; \
	  echo ''; \
	  echo 'import OptimistCore'; echo ''; \
	  echo 'extension Migration {'; \
	  echo "  /// $$doc"; \
	  echo "  public static let $$name: [Migration] = ["; \
	  for f in $$dir*.sql; do \
	    n=$$(basename $$f | sed 's/_.*//; s/^0*//'); \
	    echo "    Migration(number: $$n, file: \"$$(basename $$f)\", sql: #\"\"\""; \
	    cat $$f; \
	    echo '"""#),'; \
	  done; \
	  echo '  ]'; \
	  echo ''; \
	  echo "  /// The webhook tables, made on demand: $${dir}on-demand/webhooks.sql."; \
	  echo "  public static let $${name}WebhookTables = #\"\"\""; \
	  cat $${dir}on-demand/webhooks.sql; \
	  echo '"""#'; \
	  echo '}'; } > $$out; }; \
	gen Schema/ sqlite $(SCHEMA_SWIFT) 'Every SQLite migration, in order: migration N sets `PRAGMA user_version = N`.'; \
	gen Schema/postgresql/ postgresql $(PG_SCHEMA_SWIFT) 'Every PostgreSQL migration, in order: migration N sets `optimist_schema.version = N`.'
	$(SWIFT) format -i $(SCHEMA_SWIFT) $(PG_SCHEMA_SWIFT)
