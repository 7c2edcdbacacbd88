# optimist: build, test, demo, install. Every target installs libsqlite3-dev when it is missing.
SWIFT   ?= swift
PREFIX  ?= /usr/local
SCRATCH ?= .build
RELEASE := $(SCRATCH)/release/optimist
SCHEMA_SWIFT := Sources/OptimistCore/Store/Schema.swift

.PHONY: build test demo install install-files clean deps schema bench stress fuzz

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# Debian packages a target needs, installed only when missing: "header-or-command:package".
DEPS := /usr/include/sqlite3.h:libsqlite3-dev

deps:
	@missing=""; for d in $(DEPS); do \
	  f=$${d%%:*}; p=$${d##*:}; \
	  if [ "$${f#/}" != "$$f" ]; then [ -e "$$f" ] || missing="$$missing $$p"; \
	  else command -v "$$f" >/dev/null || missing="$$missing $$p"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

# The shipped binary is fully static: no dynamic loader, no Swift runtime or SQLite to find.
STATIC := -c release --static-swift-stdlib -Xswiftc -static-executable --scratch-path $(SCRATCH)

build: deps
	$(SWIFT) build $(STATIC) --product optimist

test: DEPS += sqlite3:sqlite3 strace:strace
test: deps
	$(SWIFT) build --build-tests --scratch-path $(SCRATCH)
	$(SWIFT) test --skip-build --scratch-path $(SCRATCH)

demo: build
	@OPTIMIST=$(RELEASE) sh Tests/Scripts/demo.sh

install: build
	@$(MAKE) --no-print-directory install-files BIN=$(RELEASE)

# The binary, its bash, zsh and fish completions and its man page, each where that shell and
# `man` look under PREFIX; the scripts and the page are written by the binary from the same
# declarations as its help. `make install` runs it after building; BIN is the binary.
BIN ?= $(RELEASE)
SHARE = $(DESTDIR)$(PREFIX)/share
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/bash-completion/completions \
	  $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d $(SHARE)/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/optimist
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(BIN) --generate-completion-script bash >$$tmp/bash && \
	  $(BIN) --generate-completion-script zsh >$$tmp/zsh && \
	  $(BIN) --generate-completion-script fish >$$tmp/fish && \
	  $(BIN) --generate-manual >$$tmp/man && \
	  install -m 0644 $$tmp/bash $(SHARE)/bash-completion/completions/optimist && \
	  install -m 0644 $$tmp/zsh $(SHARE)/zsh/site-functions/_optimist && \
	  install -m 0644 $$tmp/fish $(SHARE)/fish/vendor_completions.d/optimist.fish && \
	  install -m 0644 $$tmp/man $(SHARE)/man/man1/optimist.1

clean:
	rm -rf $(SCRATCH) .build-fuzz

# Benchmarks against the sqlite3 shell doing the same SQL, written to BENCHMARKS.md (about 6
# minutes on 2 cores, plus the build). Never part of `make test`; nothing asserts a time.
# The work folder keeps the raw measurements (hyperfine JSON, strace, callgrind files).
bench: DEPS += hyperfine:hyperfine sqlite3:sqlite3 valgrind:valgrind strace:strace /usr/bin/time:time cc:gcc \
  python3:python3 readelf:binutils
bench: build
	rm -rf $(SCRATCH)/bench
	BENCH_DIR=$(SCRATCH)/bench BENCH_SCRATCH=$(SCRATCH) bash Tests/Scripts/bench.sh $(RELEASE) BENCHMARKS.md

# Reliability: crashes (SIGKILL), 16-process contention and a held lock against the release
# binary; power cuts through the test-only optimist-powerloss (Tests/PowerLoss), with its
# negative controls; then the fuzz target. Bounded to a few minutes (STRESS_SECONDS per timed
# phase, POWERLOSS_SECONDS for the power cuts).
STRESS_SECONDS ?= 45
POWERLOSS_SECONDS ?= 150
FUZZ_SECONDS ?= 60
POWERLOSS := $(SCRATCH)/release/optimist-powerloss
stress: DEPS += sqlite3:sqlite3 python3:python3
stress: build fuzz
	python3 Tests/Scripts/stress.py --bin $(RELEASE) --kills 300 --seconds $(STRESS_SECONDS)
	$(SWIFT) build $(STATIC) --product optimist-powerloss
	python3 Tests/Scripts/powerloss.py --powerloss $(POWERLOSS) --optimist $(RELEASE) --cuts 300 \
	  --seconds $(POWERLOSS_SECONDS)

# libFuzzer over the code that turns command-line values into validated requests.
FUZZ := .build-fuzz/fuzz-requests
fuzz: deps
	@mkdir -p .build-fuzz/corpus
	@rm -f $(FUZZ)
	swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name OptimistCore \
	  -I Sources/CSQLite $$(find Sources/OptimistCore -name '*.swift') Tests/Fuzz/FuzzRequests.swift \
	  -lsqlite3 -o $(FUZZ) 2>.build-fuzz/build.log || { cat .build-fuzz/build.log; exit 1; }
	cp Tests/Fuzz/corpus/* .build-fuzz/corpus/
	timeout $$(( $(FUZZ_SECONDS) + 60 )) $(FUZZ) -max_total_time=$(FUZZ_SECONDS) -max_len=1024 \
	  -artifact_prefix=.build-fuzz/ .build-fuzz/corpus

# Regenerates the SQL the binary embeds from Schema/*.sql (a test checks they are equal).
schema:
	@{ echo '// Generated from Schema/*.sql by `make schema`; a test checks it matches.'; \
	  echo ''; \
	  echo 'extension Migration {'; \
	  echo '  /// Every migration, in order: migration N sets `PRAGMA user_version = N`.'; \
	  echo '  static let all: [Migration] = ['; \
	  for f in Schema/*.sql; do \
	    n=$$(basename $$f | sed 's/_.*//; s/^0*//'); \
	    echo "    Migration(number: $$n, file: \"$$(basename $$f)\", sql: #\"\"\""; \
	    cat $$f; \
	    echo '"""#),'; \
	  done; \
	  echo '  ]'; \
	  echo '}'; } > $(SCHEMA_SWIFT)
