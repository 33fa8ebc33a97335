GO ?= go

.PHONY: run test bench fmt first-run browser

# A first run on a machine downloads the modules and builds everything
# without a word for a while: say so before it starts.
first-run:
	@if ! GOPROXY=off GOFLAGS=-mod=readonly $(GO) list -deps ./... >/dev/null 2>&1 || [ ! -d "$$($(GO) env GOCACHE)" ]; then \
		echo "first run: downloading and building, about 2 minutes"; \
	fi

# Chat with the example bot on a page in your browser (its URL is
# printed); ARGS=-terminal chats in this terminal instead. Without
# OPENAI_API_KEY or OPENAI_BASE_URL it uses an offline demo model.
#
# Ctrl-C stops it cleanly: the bot runs as its own job (set -m) holding
# the terminal, so Ctrl-C reaches the bot alone, which stops and exits 0,
# rather than make as well, which would report the interrupt as an error.
ARGS ?=
RUN_BIN := .bin/quickstart
run: first-run
	@$(GO) build -o $(RUN_BIN) ./examples/quickstart
	@if [ -t 0 ]; then set -m; fi; ./$(RUN_BIN) $(ARGS)

# The browser test (examples/quickstart) drives Debian's chromium. When it
# is absent, install it if this user may (root, or sudo without a
# password) and apt reaches its mirror; else the test skips, and under CI
# fails.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || [ -n "$$PARLEY_CHROME" ]; then \
		exit 0; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "browser: no chromium and no apt-get: the browser test will skip (and fail under CI)"; \
	elif [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "browser: no chromium, and no permission to install it (not root, no passwordless sudo): the browser test will skip (and fail under CI)"; exit 0; fi; \
	if [ -n "$${sudo+set}" ]; then \
		echo "browser: installing Debian's chromium for the browser test: $$sudo apt-get update && $$sudo apt-get install -y chromium"; \
		if $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then \
			echo "browser: installed $$(command -v chromium)"; \
		else echo "browser: apt-get could not install chromium: the browser test will skip (and fail under CI)"; fi; \
	fi

# Everything CI checks: formatting, vet, and the tests with the race detector.
test: first-run browser
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w .
