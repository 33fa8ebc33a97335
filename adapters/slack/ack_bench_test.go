package slack_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// BenchmarkAckLoad is the load generator of the acknowledgement path: 8
// clients send signed app_mention events with unique event ids, over
// loopback HTTP, against (a) the adapter's handler on a running bot with
// the memory store, and (b) a bare net/http handler that only checks the
// signature and parses the JSON — the ceiling. It reports each one's
// requests a second and p50/p99 acknowledgement latency, and a/b.
//
// Here the bot's handler for mentions does nothing, so that (a) measures
// what an acknowledgement costs: the signature, the reading, the Store.
// BenchmarkAckLoadAnswering measures the same with the bot answering
// every mention.
func BenchmarkAckLoad(b *testing.B) { ackLoad(b, false) }

// BenchmarkAckLoadAnswering is BenchmarkAckLoad with the agent answering
// every mention: a model that replies at once, and a post to a Web API
// served in the same process — work a deployed bot leaves to Slack's
// servers, here taken from the same CPUs as the acknowledgements.
func BenchmarkAckLoadAnswering(b *testing.B) { ackLoad(b, true) }

func ackLoad(b *testing.B, answer bool) {
	const clients = 8
	api := benchAPI(b)
	a, err := slack.New(slack.Config{BotToken: "xoxb-bench", SigningSecret: testSecret, APIURL: api.URL + "/",
		Env: func(string) string { return "" }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	bt, err := bot.New(bot.Config{Store: bot.NewMemoryStore(), Model: bottest.NewModel(bottest.Reply("ok")).Cycle(), Adapters: []bot.Adapter{a}, Tools: nil,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	if !answer {
		bt.OnMention(func(context.Context, *bot.Thread, bot.Message) error { return nil })
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	if err := bt.Start(ctx); err != nil {
		b.Fatal(err)
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		sv, err := slackgo.NewSecretsVerifier(r.Header, testSecret)
		if err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		_, _ = sv.Write(body)
		if err := sv.Ensure(); err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		var v benchEnvelope
		if err := json.Unmarshal(body, &v); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		w.WriteHeader(200)
	})
	var seq atomic.Int64
	// round sends n events through h from 8 clients and adds each
	// acknowledgement's latency to lat, returning the time it took.
	round := func(url string, client *http.Client, n int64, lat *[]time.Duration) time.Duration {
		var next atomic.Int64
		per := make([][]time.Duration, clients)
		start := time.Now()
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for next.Add(1) <= n {
					id := seq.Add(1)
					body := mentionBody(id)
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					sign(req.Header, body)
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					per[c] = append(per[c], time.Since(t0))
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		*lat = slices.Concat(append([][]time.Duration{*lat}, per...)...)
		return elapsed
	}
	srvA, srvB := httptest.NewServer(a), httptest.NewServer(bare)
	defer srvA.Close()
	defer srvB.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	// The two sides run in alternating rounds, so that load from outside
	// the benchmark (other processes on the machine) falls on both alike.
	// After each round of (a) the bot finishes what the round left it
	// before (b) goes on, untimed, so the ceiling is not slowed by it; in
	// BenchmarkAckLoadAnswering that work is the answers.
	const rounds = 10
	var latA, latB []time.Duration
	var elapsedA, elapsedB time.Duration
	b.ResetTimer()
	for r := range rounds {
		n := int64(b.N) / rounds
		if r < b.N%rounds {
			n++
		}
		if n == 0 {
			continue
		}
		b.StartTimer()
		elapsedA += round(srvA.URL, client, n, &latA)
		b.StopTimer()
		idle, done := context.WithTimeout(ctx, time.Minute)
		if err := bt.Idle(idle); err != nil {
			b.Fatalf("bot not idle after a round: %v", err)
		}
		done()
		elapsedB += round(srvB.URL, client, n, &latB)
	}
	report := func(side string, lat []time.Duration, elapsed time.Duration) float64 {
		if len(lat) == 0 {
			return 0
		}
		slices.Sort(lat)
		rps := float64(len(lat)) / elapsed.Seconds()
		b.ReportMetric(rps, side+"-req/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), side+"-p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), side+"-p99-µs")
		return rps
	}
	aRPS := report("a", latA, elapsedA)
	bRPS := report("b", latB, elapsedB)
	if bRPS > 0 {
		b.ReportMetric(aRPS/bRPS, "a/b")
	}
	cancel()
	_ = bt.Stop(context.Background())
}

// benchEnvelope is what the ceiling parses of an event: the envelope
// and the event's fields a bot needs to answer it.
type benchEnvelope struct {
	Type    string `json:"type"`
	TeamID  string `json:"team_id"`
	EventID string `json:"event_id"`
	Event   struct {
		Type     string `json:"type"`
		User     string `json:"user"`
		Text     string `json:"text"`
		TS       string `json:"ts"`
		ThreadTS string `json:"thread_ts"`
		Channel  string `json:"channel"`
	} `json:"event"`
}

// mentionBody is an app_mention event_callback, the n-th of the load, in
// a channel of its own so that Slack's per-channel pacing of the answers
// does not hold the runs up.
func mentionBody(n int64) []byte {
	ts := fmt.Sprintf("1730000000.%06d", n%1000000)
	return fmt.Appendf(nil, `{"token":"x","team_id":"T0FAKE","api_app_id":"A0MYAPP","type":"event_callback","event_id":"Ev%d","event_time":1730000000,`+
		`"event":{"type":"app_mention","user":"U0ANA","text":"<@U0BOT> hello number %d","ts":"%s","channel":"C%d","event_ts":"%s"},`+
		`"authorizations":[{"team_id":"T0FAKE","user_id":"U0BOT","is_bot":true}],"is_ext_shared_channel":false}`, n, n, ts, n, ts)
}

func sign(h http.Header, body []byte) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// benchAPI answers the Web API calls a run makes, at once.
func benchAPI(b *testing.B) *httptest.Server {
	var ts atomic.Int64
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, v string) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, v)
	}
	mux.HandleFunc("/auth.test", func(w http.ResponseWriter, r *http.Request) {
		ok(w, `{"ok":true,"team":"Fake","team_id":"T0FAKE","user":"parley","user_id":"U0BOT","bot_id":"B0BOT"}`)
	})
	mux.HandleFunc("/users.info", func(w http.ResponseWriter, r *http.Request) {
		ok(w, `{"ok":true,"user":{"id":"U0ANA","name":"ana","profile":{"display_name":"ana"}}}`)
	})
	post := func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		ok(w, fmt.Sprintf(`{"ok":true,"channel":%q,"ts":"1740000000.%06d"}`, r.Form.Get("channel"), ts.Add(1)))
	}
	mux.HandleFunc("/chat.postMessage", post)
	mux.HandleFunc("/chat.update", post)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { ok(w, `{"ok":true}`) })
	s := httptest.NewServer(mux)
	b.Cleanup(s.Close)
	return s
}
