package slack_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/slack"
)

const testToken = "xoxb-1-test"

// fakeAuth is a Web API that answers auth.test as Slack does: the identity
// in the body, the granted scopes in the X-OAuth-Scopes header, and ok:false
// with an error code for a token it refuses.
type fakeAuth struct {
	scopes *string // the X-OAuth-Scopes header; nil sends none
	refuse string  // an error code to answer every call with
	status int     // an HTTP status other than 200 to answer with
	calls  atomic.Int32
}

func (f *fakeAuth) serve(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		if r.URL.Path != "/api/auth.test" {
			http.NotFound(w, r)
			return
		}
		if f.status != 0 {
			w.WriteHeader(f.status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		token := r.FormValue("token")
		if f.refuse != "" || token != testToken {
			code := f.refuse
			if code == "" {
				code = "invalid_auth"
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
			return
		}
		if f.scopes != nil {
			w.Header().Set("X-OAuth-Scopes", *f.scopes)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "parley",
			"team_id": "T0001", "user_id": "U0001", "bot_id": "B0001", "is_enterprise_install": false,
		})
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

// neededScopes are the scopes the manifest asks for: Check must want the
// same.
func neededScopes(t *testing.T) []string {
	t.Helper()
	out, err := slack.Manifest(slack.ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.OAuthConfig.Scopes.Bot) == 0 {
		t.Fatal("the manifest asks for no scopes")
	}
	return m.OAuthConfig.Scopes.Bot
}

func envWith(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestCheckScopes(t *testing.T) {
	t.Parallel()
	needed := neededScopes(t)
	lacking := []string{needed[1], needed[len(needed)-1]}
	var partial []string
	for _, s := range needed {
		if !slices.Contains(lacking, s) {
			partial = append(partial, s)
		}
	}
	for _, tc := range []struct {
		name        string
		header      string
		wantMissing []string
	}{
		{"all granted", strings.Join(needed, ","), nil},
		{"all granted, spaced, with extras", "  extra:read, " + strings.Join(needed, ", ") + ",", nil},
		{"some missing", strings.Join(partial, ","), lacking},
		{"none granted", "", needed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeAuth{scopes: &tc.header}
			r, err := slack.Check(t.Context(), slack.Config{
				APIURL: f.serve(t),
				Env:    envWith(map[string]string{slack.EnvBotToken: testToken}),
			})
			if err != nil {
				t.Fatal(err)
			}
			if r.TeamID != "T0001" || r.Team != "Acme" || r.URL != "https://acme.slack.com/" ||
				r.BotUser != "parley" || r.BotUserID != "U0001" || r.BotID != "B0001" {
				t.Errorf("identity = %+v", r)
			}
			if !slices.Equal(r.Missing, tc.wantMissing) {
				t.Errorf("Missing = %v, want %v", r.Missing, tc.wantMissing)
			}
			if !slices.IsSorted(r.Scopes) {
				t.Errorf("Scopes %v are not sorted", r.Scopes)
			}
			for _, s := range needed {
				if slices.Contains(r.Scopes, s) == slices.Contains(r.Missing, s) {
					t.Errorf("scope %s is in both or neither of Scopes %v and Missing %v", s, r.Scopes, r.Missing)
				}
			}
			if tc.name == "all granted, spaced, with extras" && !slices.Contains(r.Scopes, "extra:read") {
				t.Errorf("Scopes %v lack the extra scope granted", r.Scopes)
			}
		})
	}
}

func TestCheckTokenFromConfig(t *testing.T) {
	t.Parallel()
	all := strings.Join(neededScopes(t), ",")
	f := &fakeAuth{scopes: &all}
	r, err := slack.Check(t.Context(), slack.Config{
		BotToken: testToken,
		APIURL:   strings.TrimSuffix(f.serve(t), "/"), // the slash is added
		Env:      envWith(map[string]string{slack.EnvBotToken: "xoxb-from-env"}),
	})
	if err != nil {
		t.Fatalf("Check with Config.BotToken over a different $%s: %v", slack.EnvBotToken, err)
	}
	if len(r.Missing) != 0 {
		t.Errorf("Missing = %v", r.Missing)
	}
}

func TestCheckErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		refuse    string // Slack's answer: an error code
		status    int    // or an HTTP status
		env       map[string]string
		want      []string // each in the error
		wantCalls bool     // whether Slack is asked at all
		wantCode  string   // Slack's error code, wrapped
	}{
		{name: "no token", env: nil, want: []string{slack.EnvBotToken, "not set"}},
		{name: "user token", env: map[string]string{slack.EnvBotToken: "xoxp-1"}, want: []string{slack.EnvBotToken, "xoxb-"}},
		{name: "invalid_auth", refuse: "invalid_auth", want: []string{slack.EnvBotToken, "invalid_auth", "OAuth & Permissions"}, wantCalls: true, wantCode: "invalid_auth"},
		{name: "wrong token", env: map[string]string{slack.EnvBotToken: "xoxb-wrong"}, want: []string{slack.EnvBotToken, "invalid_auth"}, wantCalls: true, wantCode: "invalid_auth"},
		{name: "not_authed", refuse: "not_authed", want: []string{slack.EnvBotToken, "not_authed"}, wantCalls: true, wantCode: "not_authed"},
		{name: "account_inactive", refuse: "account_inactive", want: []string{slack.EnvBotToken, "account_inactive", "reinstall"}, wantCalls: true, wantCode: "account_inactive"},
		{name: "server error", status: http.StatusInternalServerError, want: []string{"auth.test", slack.EnvBotToken, "500"}, wantCalls: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeAuth{refuse: tc.refuse, status: tc.status}
			env := tc.env
			if env == nil && tc.name != "no token" {
				env = map[string]string{slack.EnvBotToken: testToken}
			}
			_, err := slack.Check(t.Context(), slack.Config{APIURL: f.serve(t), Env: envWith(env)})
			if err == nil {
				t.Fatal("Check gave no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "slack: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if called := f.calls.Load() > 0; called != tc.wantCalls {
				t.Errorf("Slack called: %v, want %v", called, tc.wantCalls)
			}
			if tc.wantCode != "" {
				var refused slackgo.SlackErrorResponse
				if !errors.As(err, &refused) || refused.Err != tc.wantCode {
					t.Errorf("error %v does not wrap Slack's %s", err, tc.wantCode)
				}
			}
		})
	}
}

// TestCheckWithoutScopesHeader: an answer that does not say which scopes
// the token has is an error, not a report that every scope is missing, and
// the identity learned still comes back.
func TestCheckWithoutScopesHeader(t *testing.T) {
	t.Parallel()
	f := &fakeAuth{}
	r, err := slack.Check(t.Context(), slack.Config{APIURL: f.serve(t), Env: envWith(map[string]string{slack.EnvBotToken: testToken})})
	if err == nil || !strings.Contains(err.Error(), "X-OAuth-Scopes") {
		t.Fatalf("error = %v, want one naming the X-OAuth-Scopes header", err)
	}
	if r.TeamID != "T0001" || r.BotUserID != "U0001" {
		t.Errorf("identity = %+v, want it filled", r)
	}
	if len(r.Missing) != 0 {
		t.Errorf("Missing = %v, want nothing claimed", r.Missing)
	}
}
