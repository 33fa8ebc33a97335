package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/examples/internal/playground"
)

// options are what a test sets beyond the environment.
type options struct {
	// Store replaces the default SQLite file.
	Store bot.Store
	// Listening, if not nil, receives the server's base URL once it
	// accepts connections.
	Listening chan<- string
}

// server is the bot's platforms, built from the environment: the
// adapters to run and the handler serving the HTTP ones.
type server struct {
	adapters []bot.Adapter
	mux      *http.ServeMux
	// served lists what is served where, for the banner.
	served []string
	close  func()
}

// platforms builds the adapters whose credentials the environment holds —
// the page always — and mounts the HTTP ones on one mux. An error names
// the variable at fault.
func platforms(getenv func(string) string, addr string, logger *slog.Logger) (*server, error) {
	s := &server{mux: http.NewServeMux(), close: func() {}}

	if slackSet(getenv) {
		if getenv("SLACK_BOT_TOKEN") == "" {
			return nil, errors.New("SLACK_BOT_TOKEN is not set, but other SLACK_ variables are: set it to the bot's xoxb- token, or unset them all")
		}
		a, err := slack.New(slack.Config{Env: getenv, APIURL: getenv("SLACK_API_URL"), Logger: logger})
		if err != nil {
			return nil, err
		}
		s.adapters = append(s.adapters, a)
		if getenv("SLACK_SIGNING_SECRET") != "" {
			s.mux.Handle("POST /slack", a)
			s.served = append(s.served, "Slack events and interactivity at /slack")
		}
		if getenv("SLACK_APP_TOKEN") != "" {
			s.served = append(s.served, "Slack over Socket Mode")
		}
	}

	if discordSet(getenv) {
		for _, v := range []string{"DISCORD_BOT_TOKEN", "DISCORD_APP_ID"} {
			if getenv(v) == "" {
				return nil, fmt.Errorf("%s is not set, but other DISCORD_ variables are: set DISCORD_BOT_TOKEN and DISCORD_APP_ID, or unset them all", v)
			}
		}
		a, err := discord.New(discord.Config{Env: getenv, APIURL: getenv("DISCORD_API_URL"), Logger: logger})
		if err != nil {
			return nil, err
		}
		s.adapters = append(s.adapters, a)
		s.served = append(s.served, "Discord over the gateway")
		if getenv("DISCORD_PUBLIC_KEY") != "" {
			s.mux.Handle("POST /discord", a)
			s.served = append(s.served, "Discord interactions at /discord")
		}
	}

	dir := getenv("PARLEY_WEB_DIR")
	if dir == "" {
		dir = filepath.Join(filepath.Dir(cmp.Or(getenv("PARLEY_DB"), bot.DefaultDB)), "parley-web")
	}
	page, err := web.New(web.Config{NoListen: true, Addr: addr, Token: getenv("PARLEY_WEB_TOKEN"), Dir: dir, Logger: logger})
	if err != nil {
		if strings.Contains(err.Error(), "Token") {
			return nil, fmt.Errorf("PARLEY_WEB_TOKEN: %w", err)
		}
		return nil, err
	}
	s.close = func() { page.Close() }
	s.adapters = append(s.adapters, page)
	s.mux.Handle("/", page)
	s.served = append(s.served, "the web page at /")
	return s, nil
}

func slackSet(getenv func(string) string) bool {
	return anySet(getenv, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")
}

func discordSet(getenv func(string) string) bool {
	return anySet(getenv, "DISCORD_BOT_TOKEN", "DISCORD_APP_ID", "DISCORD_PUBLIC_KEY", "DISCORD_GUILD_ID")
}

func anySet(getenv func(string) string, vars ...string) bool {
	for _, v := range vars {
		if getenv(v) != "" {
			return true
		}
	}
	return false
}

// listenAddr is PARLEY_ADDR, checked.
func listenAddr(getenv func(string) string) (string, error) {
	addr := cmp.Or(getenv("PARLEY_ADDR"), web.DefaultAddr)
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return "", fmt.Errorf("PARLEY_ADDR=%q is not host:port (e.g. 127.0.0.1:8080 or :8080)", addr)
	}
	return addr, nil
}

// run serves the bot until ctx ends, then shuts the server down and stops
// the bot gracefully.
func run(ctx context.Context, getenv func(string) string, out io.Writer, opt options) error {
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo}))
	addr, err := listenAddr(getenv)
	if err != nil {
		return err
	}
	s, err := platforms(getenv, addr, logger)
	if err != nil {
		return err
	}
	defer s.close()
	model, about := playground.Model(getenv, offlineModel())
	cfg := config()
	cfg.Model, cfg.Adapters, cfg.Store, cfg.Logger = model, s.adapters, opt.Store, logger
	b, err := bot.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		b.Stop(context.Background())
		return fmt.Errorf("PARLEY_ADDR: %w", err)
	}
	// Requests, the page's open event streams among them, end with
	// reqCtx, so that Shutdown need not wait for them.
	reqCtx, endRequests := context.WithCancel(context.Background())
	defer endRequests()
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return reqCtx }}
	if err := b.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "Parley allinone on %s: %s.\n%s\n\n", url, strings.Join(s.served, "; "), about)
	if opt.Listening != nil {
		opt.Listening <- url
	}

	select {
	case <-ctx.Done():
	case err = <-served:
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Stop the bot first: it refuses new events (503, so the platforms
	// retry) while in-flight runs finish; then close the server.
	stopErr := b.Stop(stopCtx)
	endRequests()
	srv.Shutdown(stopCtx)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return stopErr
}
