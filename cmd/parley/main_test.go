package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/slack"
)

// result is what one run of the program gave.
type result struct {
	status         int
	stdout, stderr string
}

func runWith(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(args, &stdout, &stderr, func(k string) string { return env[k] })
	return result{status, stdout.String(), stderr.String()}
}

func (r result) want(t *testing.T, status int, stdout, stderr []string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d\nstdout:\n%s\nstderr:\n%s", r.status, status, r.stdout, r.stderr)
	}
	for _, w := range stdout {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	for _, w := range stderr {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		args           []string
		status         int
		stdout, stderr []string
	}{
		{name: "help", args: []string{"help"}, status: exitOK, stdout: []string{"parley slack manifest", "parley slack check", "parley help"}},
		{name: "-h", args: []string{"-h"}, status: exitOK, stdout: []string{"parley slack manifest"}},
		{name: "help slack", args: []string{"help", "slack"}, status: exitOK, stdout: []string{"parley slack manifest", "parley slack check"}},
		{name: "slack help", args: []string{"slack", "help"}, status: exitOK, stdout: []string{"parley slack check"}},
		{name: "no arguments", args: nil, status: exitUsage, stderr: []string{"Usage:", "parley slack manifest"}},
		{name: "unknown command", args: []string{"teams"}, status: exitUsage, stderr: []string{`unknown command "teams"`, "Usage:"}},
		{name: "help unknown", args: []string{"help", "teams"}, status: exitUsage, stderr: []string{`unknown command "teams"`, "Usage:"}},
		{name: "help too many", args: []string{"help", "slack", "check"}, status: exitUsage, stderr: []string{"Usage:"}},
		{name: "platform alone", args: []string{"slack"}, status: exitUsage, stderr: []string{"parley slack manifest"}},
		{name: "unknown subcommand", args: []string{"slack", "invite"}, status: exitUsage, stderr: []string{`parley slack: unknown command "invite"`, "parley slack check"}},
		{name: "unknown flag", args: []string{"slack", "manifest", "-bogus"}, status: exitUsage, stderr: []string{"-bogus", "Usage: parley slack manifest"}},
		{name: "extra argument", args: []string{"slack", "manifest", "extra"}, status: exitUsage, stderr: []string{`unexpected argument "extra"`}},
		{name: "flag help", args: []string{"slack", "manifest", "-h"}, status: exitOK, stderr: []string{"Usage: parley slack manifest", "-url URL", "-command"}},
		{name: "check flag help", args: []string{"slack", "check", "-h"}, status: exitOK, stderr: []string{"Usage: parley slack check", "-api-url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runWith(t, nil, tc.args...)
			r.want(t, tc.status, tc.stdout, tc.stderr)
			if tc.status == exitOK && tc.stdout != nil && r.stderr != "" {
				t.Errorf("help wrote to stderr: %s", r.stderr)
			}
			if tc.status == exitUsage && r.stdout != "" {
				t.Errorf("a usage error wrote to stdout: %s", r.stdout)
			}
		})
	}
}

// manifestOut is the part of the printed manifest the tests read.
type manifestOut struct {
	DisplayInformation struct {
		Name string `json:"name"`
	} `json:"display_information"`
	Features struct {
		AssistantView struct {
			SuggestedPrompts []slack.Prompt `json:"suggested_prompts"`
		} `json:"assistant_view"`
		SlashCommands []struct {
			Command string `json:"command"`
		} `json:"slash_commands"`
	} `json:"features"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string `json:"request_url"`
		} `json:"event_subscriptions"`
		SocketModeEnabled bool `json:"socket_mode_enabled"`
	} `json:"settings"`
}

func TestSlackManifest(t *testing.T) {
	t.Parallel()
	t.Run("socket mode", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, nil, "slack", "manifest")
		r.want(t, exitOK, nil, []string{"api.slack.com/apps", "From a manifest", slack.EnvAppToken, "connections:write"})
		want, err := slack.Manifest(slack.ManifestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.stdout != string(want) {
			t.Errorf("stdout is not slack.Manifest's output:\n%s", r.stdout)
		}
		if !strings.HasPrefix(r.stdout, "{\n  \"") {
			t.Errorf("stdout is not indented JSON:\n%s", r.stdout)
		}
	})
	t.Run("http", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, nil, "slack", "manifest",
			"-url", "https://bot.example.com/slack", "-name", "Helper", "-command", "/helper",
			"-prompt", "Summarize=Summarize this channel, a=b", "-prompt", "Explain = Explain it")
		r.want(t, exitOK, nil, []string{"api.slack.com/apps", slack.EnvSigningSecret})
		if strings.Contains(r.stderr, slack.EnvAppToken) {
			t.Errorf("stderr asks for %s in HTTP mode: %s", slack.EnvAppToken, r.stderr)
		}
		var m manifestOut
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if m.Settings.SocketModeEnabled || m.Settings.EventSubscriptions.RequestURL != "https://bot.example.com/slack" {
			t.Errorf("settings = %+v, want HTTP mode at the -url", m.Settings)
		}
		if m.DisplayInformation.Name != "Helper" || m.Features.SlashCommands[0].Command != "/helper" {
			t.Errorf("name %q, command %v; want the flags'", m.DisplayInformation.Name, m.Features.SlashCommands)
		}
		wantPrompts := []slack.Prompt{{Title: "Summarize", Message: "Summarize this channel, a=b"}, {Title: "Explain", Message: "Explain it"}}
		if got := m.Features.AssistantView.SuggestedPrompts; len(got) != 2 || got[0] != wantPrompts[0] || got[1] != wantPrompts[1] {
			t.Errorf("prompts = %+v, want %+v", got, wantPrompts)
		}
	})
	t.Run("no command", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, nil, "slack", "manifest", "-command", "-")
		r.want(t, exitOK, nil, nil)
		if strings.Contains(r.stdout, "slash_commands") {
			t.Errorf("-command - still prints a slash command:\n%s", r.stdout)
		}
	})
	for _, tc := range []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"plain http url", []string{"-url", "http://bot.example.com/slack"}, []string{"ManifestOptions.RequestURL", "https"}},
		{"bad command", []string{"-command", "ask"}, []string{"ManifestOptions.Command"}},
		{"prompt without =", []string{"-prompt", "just a title"}, []string{"TITLE=MESSAGE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runWith(t, nil, append([]string{"slack", "manifest"}, tc.args...)...)
			r.want(t, exitUsage, nil, tc.stderr)
			if r.stdout != "" {
				t.Errorf("an invalid manifest was printed:\n%s", r.stdout)
			}
		})
	}
}

// fakeSlack answers auth.test for the token xoxb-good with the granted
// scopes in X-OAuth-Scopes, and refuses any other token as Slack does.
func fakeSlack(t *testing.T, scopes string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/auth.test" || r.FormValue("token") != "xoxb-good" {
			_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
			return
		}
		w.Header().Set("X-OAuth-Scopes", scopes)
		_, _ = w.Write([]byte(`{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"parley","team_id":"T0001","user_id":"U0001","bot_id":"B0001"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

// allScopes are the scopes the manifest asks for.
func allScopes(t *testing.T) []string {
	t.Helper()
	out, err := slack.Manifest(slack.ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuthConfig struct {
			Scopes struct {
				Bot []string `json:"bot"`
			} `json:"scopes"`
		} `json:"oauth_config"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m.OAuthConfig.Scopes.Bot
}

func TestSlackCheck(t *testing.T) {
	t.Parallel()
	all := allScopes(t)
	good := map[string]string{slack.EnvBotToken: "xoxb-good"}
	t.Run("ready", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, good, "slack", "check", "-api-url", fakeSlack(t, strings.Join(all, ",")))
		r.want(t, exitOK, []string{"Acme (T0001) https://acme.slack.com/", "@parley (U0001, bot B0001)", all[0], "missing    none"}, nil)
		if r.stderr != "" {
			t.Errorf("stderr = %q, want nothing", r.stderr)
		}
	})
	t.Run("missing scopes", func(t *testing.T) {
		t.Parallel()
		granted := all[:len(all)-2]
		r := runWith(t, good, "slack", "check", "-api-url", fakeSlack(t, strings.Join(granted, ",")))
		missing := strings.Join(all[len(all)-2:], ", ")
		r.want(t, exitProblem, []string{"Acme (T0001)", "missing    " + missing}, []string{"lacks 2 of the scopes", "reinstall"})
	})
	t.Run("refused token", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, map[string]string{slack.EnvBotToken: "xoxb-bad"}, "slack", "check", "-api-url", fakeSlack(t, ""))
		r.want(t, exitProblem, nil, []string{slack.EnvBotToken, "invalid_auth"})
		if r.stdout != "" {
			t.Errorf("stdout = %q, want nothing for a refused token", r.stdout)
		}
	})
	t.Run("no token", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, nil, "slack", "check", "-api-url", fakeSlack(t, ""))
		r.want(t, exitProblem, nil, []string{slack.EnvBotToken, "not set"})
	})
}
