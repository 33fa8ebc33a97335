GO ?= go

.PHONY: run test bench fmt first-run

# A first run on a machine downloads the modules and builds everything
# without a word for a while: say so before it starts.
first-run:
	@if ! GOPROXY=off GOFLAGS=-mod=readonly $(GO) list -deps ./... >/dev/null 2>&1 || [ ! -d "$$($(GO) env GOCACHE)" ]; then \
		echo "first run: downloading and building, about 2 minutes"; \
	fi

# Chat with the example bot in this terminal. Without OPENAI_API_KEY or
# OPENAI_BASE_URL it uses an offline demo model.
run: first-run
	$(GO) run ./examples/quickstart

# Everything CI checks: formatting, vet, and the tests with the race detector.
test: first-run
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w .
