package discordfake_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// TestRateLimitHonouredByDiscordgo: discordgo's limiter waits out a
// route's 429 and a global one, then the call succeeds.
func TestRateLimitHonouredByDiscordgo(t *testing.T) {
	t.Parallel()
	for name, limit := range map[string]func(*discordfake.Server, time.Duration){
		"route": func(f *discordfake.Server, d time.Duration) {
			f.RateLimit(discordfake.RouteCreateMessage, d, 1)
		},
		"global": func(f *discordfake.Server, d time.Duration) { f.GlobalRateLimit(d, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, dg := newFake(t, discordfake.Config{})
			wait := 150 * time.Millisecond
			limit(f, wait)
			if _, err := dg.ChannelMessageSend(discordfake.General, "hi"); err != nil {
				t.Fatal(err)
			}
			calls := f.Calls(discordfake.RouteCreateMessage)
			if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
				t.Fatalf("calls = %+v", calls)
			}
			if gap := calls[1].Time.Sub(calls[0].Time); gap < wait {
				t.Fatalf("retried after %v, before retry_after %v", gap, wait)
			}
			if n := len(f.Messages(discordfake.General)); n != 1 {
				t.Fatalf("%d messages", n)
			}
		})
	}
}

// TestRateLimitAnswer: the 429's body and headers are Discord's.
func TestRateLimitAnswer(t *testing.T) {
	t.Parallel()
	f := discordfake.New(discordfake.Config{})
	t.Cleanup(f.Close)
	post := func() *http.Response {
		req, _ := http.NewRequest(http.MethodPost, f.APIURL()+"channels/"+discordfake.General+"/messages", strings.NewReader(`{"content":"hi"}`))
		req.Header.Set("Authorization", "Bot "+f.Config().Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	f.RateLimit(discordfake.RouteCreateMessage, 1500*time.Millisecond, 1)
	f.GlobalRateLimit(250*time.Millisecond, 1)

	global := post()
	var body struct {
		Message    string  `json:"message"`
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	_ = json.NewDecoder(global.Body).Decode(&body)
	h := global.Header
	if global.StatusCode != 429 || !body.Global || body.RetryAfter != 0.25 || h.Get("X-RateLimit-Global") != "true" ||
		h.Get("X-RateLimit-Scope") != "global" || h.Get("Retry-After") != "1" {
		t.Fatalf("global 429: %+v %v", body, h)
	}

	route := post()
	body.Global = true
	_ = json.NewDecoder(route.Body).Decode(&body)
	h = route.Header
	if route.StatusCode != 429 || body.Global || body.RetryAfter != 1.5 || body.Message != "You are being rate limited." ||
		h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset-After") != "1.500" || h.Get("X-RateLimit-Bucket") == "" ||
		h.Get("X-RateLimit-Scope") != "user" || h.Get("Retry-After") != "2" || h.Get("X-RateLimit-Reset") == "" {
		t.Fatalf("route 429: %+v %v", body, h)
	}

	ok := post()
	if ok.StatusCode != 200 || ok.Header.Get("X-RateLimit-Bucket") != h.Get("X-RateLimit-Bucket") || ok.Header.Get("X-RateLimit-Remaining") == "0" {
		t.Fatalf("then %d %v", ok.StatusCode, ok.Header)
	}
}

// TestRateLimitErrorWithoutRetry: with retries off, discordgo reports
// the 429 with its retry_after.
func TestRateLimitErrorWithoutRetry(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	dg.ShouldRetryOnRateLimit = false
	f.RateLimit(discordfake.RouteEditMessage, 2*time.Second, 1)
	m, err := dg.ChannelMessageSend(discordfake.General, "hi")
	if err != nil {
		t.Fatal(err)
	}
	_, err = dg.ChannelMessageEdit(discordfake.General, m.ID, "hello")
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("err = %v", err)
	}
}

// TestFail: a planned failure answers Discord's error, once.
func TestFail(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	f.Fail(discordfake.RouteCreateMessage, 403, 50013, 1)
	_, err := dg.ChannelMessageSend(discordfake.General, "hi")
	re := restError(t, err, 403, 50013)
	if re.Message.Message != "Missing Permissions" {
		t.Fatalf("message = %q", re.Message.Message)
	}
	if _, err := dg.ChannelMessageSend(discordfake.General, "hi"); err != nil {
		t.Fatal(err)
	}
	if c := f.Calls(discordfake.RouteCreateMessage); c[0].Code != 50013 || c[0].OK() || !c[1].OK() {
		t.Fatalf("calls = %+v", c)
	}
}
