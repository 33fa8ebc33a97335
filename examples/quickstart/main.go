// Command quickstart is the Parley bot that `make run` starts: a chat page
// in your browser (the web playground, adapters/web) with a weather card,
// a world clock, and a deploy that waits for an approver's click. It
// answers with a real model when OPENAI_API_KEY or OPENAI_BASE_URL is set,
// or with a small offline demo model otherwise, and keeps its state in
// the embedded SQLite store (PARLEY_DB, default ./parley.db).
//
//	make run                                   # offline demo model, http://127.0.0.1:8080
//	OPENAI_API_KEY=sk-... make run             # OpenAI
//	OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 make run   # Ollama
//	make run ARGS=-terminal                    # chat in this terminal instead
//	make run ARGS=-addr=127.0.0.1:9090         # serve the page elsewhere
//
// On the page, sign in as Ana, ask "deploy web to production", and try
// Approve: only Ben may approve, so switch to Ben to decide.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/parleybot/parley/adapters/terminal"
	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/model/openai"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// The page's people, and who of them approves deploys. The page signs in
// as the first, so trying Approve as Ana shows the approver rule at work.
var (
	people   = []bot.User{{ID: "ana", Name: "Ana"}, {ID: "ben", Name: "Ben"}, {ID: "cy", Name: "Cy"}}
	approver = people[1]
)

// run is the whole program, with its surroundings passed in so a test can
// drive it. It returns when ctx ends, or in the terminal at end of input.
func run(ctx context.Context, args []string, in io.Reader, out, logs io.Writer, getenv func(string) string) error {
	flags := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	flags.SetOutput(logs)
	inTerminal := flags.Bool("terminal", false, "chat in this terminal instead of the web page")
	addr := flags.String("addr", cmp.Or(getenv("PARLEY_ADDR"), web.DefaultAddr), "where to serve the web page (default PARLEY_ADDR or 127.0.0.1:8080; off loopback PARLEY_WEB_TOKEN is required)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags: -terminal, -addr)", flags.Args())
	}
	db := cmp.Or(getenv("PARLEY_DB"), bot.DefaultDB)
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var (
		model    bot.Model
		about    string
		adapter  bot.Adapter
		done     <-chan struct{} // closed when the adapter's user is done
		deployer = approver
		where    string
	)
	if *inTerminal {
		// One person types in a terminal: they approve their own deploys.
		deployer = bot.User{ID: "you", Name: cmp.Or(getenv("USER"), "you")}
		term := terminal.New(terminal.Config{In: in, Out: out, User: deployer})
		adapter, done, where = term, term.Done(), "a terminal"
		model, about = chooseModel(getenv, deployer.Name)
		fmt.Fprintf(out, "Parley quickstart: chat with a bot in your terminal. Type a message; Ctrl-D quits.\n%s\n", about)
	} else {
		page, err := web.New(web.Config{Addr: *addr, Token: getenv("PARLEY_WEB_TOKEN"), People: people, Dir: filepath.Join(filepath.Dir(db), "parley-web"), Logger: logger})
		if err != nil {
			return err
		}
		defer page.Close()
		adapter, where = page, "a web page"
		defer func() {
			if u := page.URL(); u != "" {
				fmt.Fprintln(out, "Stopped serving", u)
			}
		}()
		model, about = chooseModel(getenv, deployer.Name)
		fmt.Fprintf(out, "Parley quickstart: chat with a bot in your browser.\n%s\n", about)
	}
	fmt.Fprintf(out, "State:  %s (SQLite; delete it, and parley-web beside it, to start afresh)\n", db)

	b, err := bot.New(bot.Config{
		Model:        model,
		Adapters:     []bot.Adapter{adapter},
		Tools:        []*bot.Tool{weatherTool, timeTool, deployTool(deployer.ID, deployer.Name)},
		Instructions: "You are a friendly assistant in " + where + ". Use the weather tool for weather questions, the local_time tool for the time somewhere, and the deploy tool to deploy a service (it asks " + deployer.Name + " to approve). Keep answers to a sentence or two.",
		Logger:       logger,
	})
	if err != nil {
		return err
	}
	b.OnAction("refresh", refreshWeather)
	if err := b.Start(ctx); err != nil {
		return err
	}
	if page, ok := adapter.(*web.Adapter); ok {
		fmt.Fprintf(out, "\nOpen %s in your browser. Try \"deploy web to production\" as Ana, then as Ben. Ctrl-C stops.\n\n", page.URL())
	} else {
		fmt.Fprintln(out)
	}
	select {
	case <-ctx.Done():
	case <-done:
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Stop(stopCtx); err != nil {
		fmt.Fprintln(logs, "quickstart: stopping:", err)
	}
	return nil
}

// chooseModel returns a model for the environment and a banner saying
// which it is.
// The demo model names approver when it asks for a deploy.
func chooseModel(getenv func(string) string, approver string) (bot.Model, string) {
	if getenv("OPENAI_API_KEY") == "" && getenv("OPENAI_BASE_URL") == "" {
		return demoModel{approver: approver}, "Model: OFFLINE DEMO, a scripted stand-in, not an LLM: it understands only weather, time and deploy requests.\n" +
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
