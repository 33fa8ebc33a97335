// Command quickstart is a Parley bot you can talk to in your terminal. It
// has two tools, a weather card and a world clock, and answers with a real
// model when OPENAI_API_KEY or OPENAI_BASE_URL is set, or with a small
// offline demo model otherwise.
//
//	make run                                   # offline demo model
//	OPENAI_API_KEY=sk-... make run             # OpenAI
//	OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 make run   # Ollama
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parleybot/parley/adapters/terminal"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its surroundings passed in so a test can
// drive it.
func run(ctx context.Context, in io.Reader, out, logs io.Writer, getenv func(string) string) error {
	model, about := chooseModel(getenv)
	fmt.Fprintf(out, "Parley quickstart: chat with a bot in your terminal. Type a message; Ctrl-D quits.\n%s\n\n", about)

	term := terminal.New(terminal.Config{In: in, Out: out})
	b, err := bot.New(bot.Config{
		Model:        model,
		Adapters:     []bot.Adapter{term},
		Tools:        []*bot.Tool{weatherTool, timeTool},
		Instructions: "You are a friendly assistant in a terminal. Use the weather tool for weather questions and the local_time tool for the time somewhere. Keep answers to a sentence or two.",
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	b.OnAction("refresh", refreshWeather)
	if err := b.Start(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-term.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Stop(stopCtx); err != nil {
		fmt.Fprintln(logs, "quickstart: stopping:", err)
	}
	return nil
}

// chooseModel returns a model for the environment and a line saying which
// it is.
func chooseModel(getenv func(string) string) (bot.Model, string) {
	if getenv("OPENAI_API_KEY") == "" && getenv("OPENAI_BASE_URL") == "" {
		return demoModel{}, "Model: OFFLINE DEMO, a scripted stand-in, not an LLM: it understands only weather and time questions.\n" +
			"       Plug in a real model:   OPENAI_API_KEY=sk-... make run\n" +
			"       or any OpenAI-compatible server:   OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 make run"
	}
	m := openai.New(openai.Config{APIKey: getenv("OPENAI_API_KEY"), BaseURL: getenv("OPENAI_BASE_URL"), Model: getenv("OPENAI_MODEL")})
	base := getenv("OPENAI_BASE_URL")
	if base == "" {
		base = "https://api.openai.com/v1"
	}
	return m, fmt.Sprintf("Model: %s at %s", m.Name(), base)
}
