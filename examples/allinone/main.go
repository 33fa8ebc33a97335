// Command allinone is one bot on Slack, Discord and the web page at once,
// from the environment, on one HTTP server: the page at /, Slack's Events
// API and interactivity at /slack, Discord's interactions at /discord.
// Each platform whose credentials are set is served; the page always is.
//
//	SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)
//	DISCORD_BOT_TOKEN, DISCORD_APP_ID, DISCORD_PUBLIC_KEY (for /discord), DISCORD_GUILD_ID
//	PARLEY_ADDR (default 127.0.0.1:8080), PARLEY_WEB_TOKEN (required off loopback)
//	OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL, else an offline demo model
//
//	go run ./examples/allinone
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, options{}); err != nil {
		fmt.Fprintln(os.Stderr, "allinone:", err)
		os.Exit(1)
	}
}
