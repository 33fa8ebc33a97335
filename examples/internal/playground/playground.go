package playground

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
)

// Main runs cfg's bot on the web page until Ctrl-C or SIGTERM, with the
// model the environment names or offline. It exits the process with a
// message on an error.
func Main(name string, cfg bot.Config, offline bot.Model) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, name, cfg, offline, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Run is Main with its surroundings passed in: it serves cfg's bot on the
// web page at PARLEY_ADDR (default 127.0.0.1:8080; any other address
// needs PARLEY_WEB_TOKEN) until ctx ends, then stops it gracefully.
func Run(ctx context.Context, name string, cfg bot.Config, offline bot.Model, out io.Writer, getenv func(string) string) error {
	model, about := Model(getenv, offline)
	cfg.Model = model
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	page, err := web.New(web.Config{
		Addr:   cmp.Or(getenv("PARLEY_ADDR"), web.DefaultAddr),
		Token:  getenv("PARLEY_WEB_TOKEN"),
		Logger: cfg.Logger,
	})
	if err != nil {
		return err
	}
	defer page.Close()
	cfg.Adapters = append(cfg.Adapters, page)
	b, err := bot.New(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Parley example %s: open the page below in a browser; Ctrl-C stops.\n%s\n\n", name, about)
	return b.Run(ctx, 10*time.Second)
}

// Model returns the model the environment names — OPENAI_API_KEY or
// OPENAI_BASE_URL set, OPENAI_MODEL optional — or offline, with a line
// saying which.
func Model(getenv func(string) string, offline bot.Model) (bot.Model, string) {
	if getenv("OPENAI_API_KEY") == "" && getenv("OPENAI_BASE_URL") == "" {
		return offline, "Model: OFFLINE DEMO, a scripted stand-in, not an LLM: it knows only this example's few requests.\n" +
			"       Use a real one with OPENAI_API_KEY=sk-... or OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2"
	}
	m := openai.New(openai.Config{APIKey: getenv("OPENAI_API_KEY"), BaseURL: getenv("OPENAI_BASE_URL"), Model: getenv("OPENAI_MODEL")})
	return m, fmt.Sprintf("Model: %s at %s", m.Name(), cmp.Or(getenv("OPENAI_BASE_URL"), "https://api.openai.com/v1"))
}
