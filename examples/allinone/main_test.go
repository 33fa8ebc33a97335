package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord/discordfake"
	"github.com/parleybot/parley/adapters/slack/slackfake"
	"github.com/parleybot/parley/bot"
)

// logs collects what the program writes.
type logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logs) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// serve runs the program with env until the test ends and returns its
// base URL.
func serve(t *testing.T, env map[string]string) (string, *logs) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &logs{}
	listening := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return env[k] }, out, options{Store: bot.NewMemoryStore(), Listening: listening})
	}()
	select {
	case url := <-listening:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
		return url, out
	case err := <-done:
		cancel()
		t.Fatalf("run ended at start: %v\n%s", err, out)
	case <-time.After(15 * time.Second):
		cancel()
		t.Fatalf("the server did not start:\n%s", out)
	}
	return "", nil
}

func wait(t *testing.T, what string, waitFor func(context.Context, func() bool) error, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := waitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Slack, Discord and the page, with credentials for the first two set in
// the environment, all answer on the one server.
func TestSlackDiscordAndThePageAnswerOnOneServer(t *testing.T) {
	sf := slackfake.New(slackfake.Config{})
	t.Cleanup(sf.Close)
	df := discordfake.New(discordfake.Config{Token: "MTA1.Gx1a2b.abcdefghijklmnopqrstuvwxyz", HTTPInteractions: true, Channels: []discordfake.Channel{{ID: discordfake.General, Name: "general"}}})
	t.Cleanup(df.Close)
	sc, dc := sf.Config(), df.Config()
	url, out := serve(t, map[string]string{
		"PARLEY_ADDR":     "127.0.0.1:0",
		"PARLEY_WEB_DIR":  filepath.Join(t.TempDir(), "web"),
		"SLACK_BOT_TOKEN": sc.BotToken, "SLACK_SIGNING_SECRET": sc.SigningSecret, "SLACK_API_URL": sf.APIURL(),
		"DISCORD_BOT_TOKEN": dc.Token, "DISCORD_APP_ID": dc.ApplicationID, "DISCORD_PUBLIC_KEY": df.PublicKeyHex(),
		"DISCORD_GUILD_ID": dc.GuildID, "DISCORD_API_URL": df.APIURL(),
	})
	for _, want := range []string{"Slack events and interactivity at /slack", "Discord over the gateway", "Discord interactions at /discord", "the web page at /", "OFFLINE DEMO"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, out)
		}
	}

	// Slack: a signed mention posted to /slack is answered in its thread.
	mention, _ := sf.Mention(slackfake.Ana, "C0GENERAL", "hello", "")
	if reply, err := sf.SendURL(context.Background(), url+"/slack", mention); err != nil || reply.Status != http.StatusOK {
		t.Fatalf("posting to /slack: %v %+v", err, reply)
	}
	wait(t, "the answer on Slack", sf.WaitFor, func() bool {
		for _, m := range sf.Messages(mention.Channel, mention.TS) {
			if strings.Contains(m.PlainText(), "answering on slack") {
				return true
			}
		}
		return false
	})

	// Discord: /ask posted to /discord, checked with Ed25519, answered.
	ev, err := df.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"prompt": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := df.PostInteraction(context.Background(), url+"/discord", ev); err != nil || reply.Status != http.StatusOK {
		t.Fatalf("posting to /discord: %v %+v", err, reply)
	}
	wait(t, "the answer on Discord", df.WaitFor, func() bool {
		for _, m := range df.Messages(discordfake.General) {
			if m.InteractionID == ev.ID && strings.Contains(m.Content, "answering on discord") {
				return true
			}
		}
		return false
	})

	// The page: served at /, and a message sent through its API answered.
	res, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "<html") {
		t.Fatalf("GET /: %d %.200s", res.StatusCode, page)
	}
	var st struct {
		CSRF     string `json:"csrf"`
		Messages []struct {
			Text string `json:"text"`
		} `json:"messages"`
	}
	getState := func() {
		t.Helper()
		res, err := http.Get(url + "/api/state?as=ana&conv=c1")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
	}
	getState()
	req, _ := http.NewRequest("POST", url+"/api/conversations/c1/messages", strings.NewReader(`{"eventId":"e1","as":"ana","text":"hello"}`))
	req.Header.Set("X-Parley-CSRF", st.CSRF)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("sending on the page: %v %v", err, res.Status)
	}
	res.Body.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		getState()
		if n := len(st.Messages); n > 0 && strings.Contains(st.Messages[n-1].Text, "answering on web") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed the answer: %+v", st.Messages)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A wrong variable stops the program at start with an error naming it.
func TestAMalformedVariableNamesItself(t *testing.T) {
	t.Parallel()
	const token = "MTA1.Gx1a2b.abcdefghijklmnopqrstuvwxyz"
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PARLEY_ADDR": "8080"}, "PARLEY_ADDR"},
		{map[string]string{"PARLEY_ADDR": "0.0.0.0:0"}, "PARLEY_WEB_TOKEN"},
		{map[string]string{"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"},
		{map[string]string{"DISCORD_APP_ID": "1"}, "DISCORD_BOT_TOKEN"},
		{map[string]string{"DISCORD_BOT_TOKEN": "not a token", "DISCORD_APP_ID": "1"}, "DISCORD_BOT_TOKEN"},
		{map[string]string{"DISCORD_BOT_TOKEN": token, "DISCORD_APP_ID": "1", "DISCORD_PUBLIC_KEY": "zz"}, "DISCORD_PUBLIC_KEY"},
	} {
		tc.env["PARLEY_WEB_DIR"] = t.TempDir()
		err := run(context.Background(), func(k string) string { return tc.env[k] }, io.Discard, options{Store: bot.NewMemoryStore()})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
