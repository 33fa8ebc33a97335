GO ?= go

.PHONY: run test bench fmt

# Chat with the example bot in this terminal. Without OPENAI_API_KEY or
# OPENAI_BASE_URL it uses an offline demo model.
run:
	$(GO) run ./examples/quickstart

# Everything CI checks: formatting, vet, and the tests with the race detector.
test:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w .
