package slack_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/bot"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// recorder is an Inbox that records what it is handed and answers err.
type recorder struct {
	mu       sync.Mutex
	messages []bot.Message
	actions  []bot.Action
	edits    []bot.Message
	deletes  []bot.MessageRef
	seen     map[string]bool
	err      error
}

func (r *recorder) answer(eventID string) error {
	if r.err != nil {
		return r.err
	}
	if eventID != "" {
		if r.seen == nil {
			r.seen = map[string]bool{}
		}
		if r.seen[eventID] {
			return bot.ErrDuplicate
		}
		r.seen[eventID] = true
	}
	return nil
}

func (r *recorder) Message(_ context.Context, m bot.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.answer(m.EventID); err != nil {
		return err
	}
	r.messages = append(r.messages, m)
	return nil
}

func (r *recorder) Action(_ context.Context, a bot.Action) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.answer(a.EventID); err != nil {
		return err
	}
	r.actions = append(r.actions, a)
	return nil
}

func (r *recorder) Edited(_ context.Context, m bot.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edits = append(r.edits, m)
	return r.err
}

func (r *recorder) Deleted(_ context.Context, ref bot.MessageRef) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deletes = append(r.deletes, ref)
	return r.err
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages, r.actions, r.edits, r.deletes, r.seen = nil, nil, nil, nil, nil
}

func (r *recorder) snapshot() recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	return recorder{messages: append([]bot.Message(nil), r.messages...), actions: append([]bot.Action(nil), r.actions...),
		edits: append([]bot.Message(nil), r.edits...), deletes: append([]bot.MessageRef(nil), r.deletes...)}
}

// miniSlack answers the Web API calls the inbound side makes.
func miniSlack(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/auth.test", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"url":"https://fake.slack.com/","team":"Fake Team","user":"parley","team_id":"T0FAKE","user_id":"U0BOT","bot_id":"B0BOT"}`))
	})
	mux.HandleFunc("/users.info", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id := r.Form.Get("user")
		names := map[string]string{"U0ANA": "ana", "U0BEN": "ben", "U0BOT": "parley"}
		w.Header().Set("Content-Type", "application/json")
		if names[id] == "" {
			_, _ = w.Write([]byte(`{"ok":false,"error":"user_not_found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{"id": id, "name": names[id], "profile": map[string]any{"display_name": names[id]}}})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// started returns an adapter receiving into a new recorder.
func started(t testing.TB, cfg slack.Config) (*slack.Adapter, *recorder, context.CancelFunc) {
	t.Helper()
	api := miniSlack(t)
	if cfg.BotToken == "" {
		cfg.BotToken = "xoxb-test"
	}
	if cfg.SigningSecret == "" {
		cfg.SigningSecret = testSecret
	}
	cfg.APIURL = api.URL + "/"
	cfg.Env = func(string) string { return "" }
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := slack.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.Start(ctx, rec); err != nil {
		t.Fatal(err)
	}
	return a, rec, cancel
}

func readFixture(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signed returns a request for body signed as Slack signs, at the time at.
func signed(body []byte, contentType string, at time.Time, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func eventRequest(t *testing.T, name string) *http.Request {
	return signed(fixture(t, name), "application/json", time.Now(), testSecret)
}

func interactionRequest(t *testing.T, name string) *http.Request {
	body := "payload=" + url.QueryEscape(string(fixture(t, name)))
	return signed([]byte(body), "application/x-www-form-urlencoded", time.Now(), testSecret)
}

func TestSignatureIsCheckedBeforeAnythingElse(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	body := fixture(t, "app_mention.json")
	cases := []struct {
		name string
		req  func() *http.Request
	}{
		{"missing", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
		{"forged", func() *http.Request { return signed(body, "application/json", time.Now(), "another secret") }},
		{"expired", func() *http.Request {
			return signed(body, "application/json", time.Now().Add(-6*time.Minute), testSecret)
		}},
		{"from the future", func() *http.Request {
			return signed(body, "application/json", time.Now().Add(6*time.Minute), testSecret)
		}},
		{"body changed", func() *http.Request {
			r := signed(body, "application/json", time.Now(), testSecret)
			r.Body = httptestBody(bytes.Replace(body, []byte("U0ANA"), []byte("U0EVE"), 1))
			return r
		}},
		{"signature not hex", func() *http.Request {
			r := signed(body, "application/json", time.Now(), testSecret)
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}},
	}
	for _, c := range cases {
		if w := serve(a, c.req()); w.Code != http.StatusUnauthorized {
			t.Errorf("%s signature: status %d, want 401", c.name, w.Code)
		}
	}
	if got := rec.snapshot(); len(got.messages) != 0 {
		t.Fatalf("refused requests reached the inbox: %+v", got.messages)
	}
	if w := serve(a, eventRequest(t, "app_mention.json")); w.Code != http.StatusOK {
		t.Fatalf("a well-signed request: status %d, want 200", w.Code)
	}
}

func httptestBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// countingReader counts the bytes read from it.
type countingReader struct {
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.max {
		return 0, errors.New("eof")
	}
	for i := range p {
		p[i] = 'x'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func (c *countingReader) Close() error { return nil }

func TestOversizedBodyIsRefusedUnread(t *testing.T) {
	t.Parallel()
	a, _, _ := started(t, slack.Config{MaxBodyBytes: 4096})
	body := &countingReader{max: 10 << 20}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = body
	r.ContentLength = -1
	r.Header.Set("Content-Type", "application/json")
	if w := serve(a, r); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", w.Code)
	}
	if body.n > 4096+64*1024 {
		t.Fatalf("read %d bytes of a body capped at 4096", body.n)
	}
	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	r.ContentLength = 1 << 30
	if w := serve(a, r); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("declared length over the cap: status %d, want 413", w.Code)
	}
}

func TestURLVerificationIsAnswered(t *testing.T) {
	t.Parallel()
	a, _, _ := started(t, slack.Config{})
	w := serve(a, eventRequest(t, "url_verification.json"))
	var got struct{ Challenge string }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
		t.Fatalf("status %d body %q: %v", w.Code, w.Body, err)
	}
	if got.Challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge %q", got.Challenge)
	}
}

func TestMentionIsDeliveredInItsThread(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	if w := serve(a, eventRequest(t, "app_mention.json")); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	got := rec.snapshot().messages
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	m := got[0]
	want := bot.Address{Platform: "slack", Workspace: "T0FAKE", Channel: "C0GENERAL", Thread: "1730000000.000100"}
	if m.Address != want || m.ID != "1730000000.000100" || !m.Mention || m.Direct || m.User.ID != "U0ANA" {
		t.Fatalf("message %+v", m)
	}
	if m.EventID == "" {
		t.Fatal("no event id")
	}
	if wantText := "what is the status of #deploys? see [run 42](https://ci.example/runs/42) & tell @here"; m.Text != wantText {
		t.Fatalf("text %q\nwant %q", m.Text, wantText)
	}
	if m.Time.Unix() != 1730000000 {
		t.Fatalf("time %v", m.Time)
	}
}

func TestMentionDeliveredAsAppMentionAndMessageIsOneEvent(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	for _, f := range []string{"app_mention.json", "message_channel_mention.json"} {
		if w := serve(a, eventRequest(t, f)); w.Code != 200 {
			t.Fatalf("%s: status %d", f, w.Code)
		}
	}
	if got := rec.snapshot().messages; len(got) != 1 {
		t.Fatalf("one mention delivered as two events reached the inbox %d times", len(got))
	}
}

func TestRetriesAreDedupedByTheInbox(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	for i := range 4 {
		r := eventRequest(t, "app_mention.json")
		if i > 0 {
			r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(i))
			r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		}
		if w := serve(a, r); w.Code != 200 {
			t.Fatalf("delivery %d: status %d, want 200 (a duplicate is acknowledged)", i, w.Code)
		}
	}
	if got := rec.snapshot().messages; len(got) != 1 {
		t.Fatalf("%d messages from one event delivered four times", len(got))
	}
}

func TestDirectMessageAddressesTheBot(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	serve(a, eventRequest(t, "message_im.json"))
	got := rec.snapshot().messages
	if len(got) != 1 {
		t.Fatalf("got %d messages", len(got))
	}
	m := got[0]
	if !m.Direct || !m.Mention || m.Address.Thread != "" || m.Address.Channel != "D0ANA" {
		t.Fatalf("message %+v", m)
	}
	if want := "hello <there> ana@example.com"; m.Text != want {
		t.Fatalf("text %q, want %q", m.Text, want)
	}
}

func TestThreadReplyIsDeliveredUnaddressed(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	serve(a, eventRequest(t, "message_thread_reply.json"))
	got := rec.snapshot().messages
	if len(got) != 1 || got[0].Mention || got[0].Address.Thread != "1730000000.000100" {
		t.Fatalf("messages %+v", got)
	}
}

func TestOwnAndOtherBotsMessagesAreIgnoredUnlessAllowed(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	for _, f := range []string{"own_message.json", "bot_message.json"} {
		if w := serve(a, eventRequest(t, f)); w.Code != 200 {
			t.Fatalf("%s: status %d", f, w.Code)
		}
	}
	if got := rec.snapshot().messages; len(got) != 0 {
		t.Fatalf("bots' messages delivered: %+v", got)
	}
	a, rec, _ = started(t, slack.Config{AllowBots: true})
	for _, f := range []string{"own_message.json", "bot_message.json"} {
		serve(a, eventRequest(t, f))
	}
	got := rec.snapshot().messages
	if len(got) != 1 || !got[0].User.IsBot || got[0].User.ID != "B0OTHER" {
		t.Fatalf("with AllowBots, want only the other bot's message: %+v", got)
	}
}

func TestEditsAndDeletionsReachTheTranscript(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	serve(a, eventRequest(t, "message_changed.json"))
	serve(a, eventRequest(t, "message_deleted.json"))
	got := rec.snapshot()
	addr := bot.Address{Platform: "slack", Workspace: "T0FAKE", Channel: "C0GENERAL", Thread: "1730000000.000100"}
	if len(got.edits) != 1 || got.edits[0].ID != "1730000200.000300" || got.edits[0].Text != "and the one before?" || got.edits[0].Address != addr {
		t.Fatalf("edits %+v", got.edits)
	}
	if len(got.deletes) != 1 || got.deletes[0].ID != "1730000200.000300" || got.deletes[0].Address != addr {
		t.Fatalf("deletions %+v", got.deletes)
	}
	if len(got.messages) != 0 {
		t.Fatalf("an edit was delivered as a new message: %+v", got.messages)
	}
}

func TestMalformedBlockDoesNotDropTheMessage(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	if w := serve(a, eventRequest(t, "message_malformed_block.json")); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if got := rec.snapshot().messages; len(got) != 1 || got[0].Text != "still readable" {
		t.Fatalf("messages %+v", got)
	}
	if w := serve(a, interactionRequest(t, "block_actions_malformed_block.json")); w.Code != 200 {
		t.Fatalf("click status %d", w.Code)
	}
	if got := rec.snapshot().actions; len(got) != 1 || got[0].ID != "act_OPTIONDENY" {
		t.Fatalf("actions %+v", got)
	}
}

func TestGarbageIsAcknowledgedNotFatal(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	bodies := []struct{ ct, body string }{
		{"application/json", `{`},
		{"application/json", `[]`},
		{"application/json", `{"type":"event_callback","event":{"type":"message","text":5}}`},
		{"application/json", `{"type":"event_callback","event":null}`},
		{"application/x-www-form-urlencoded", "payload=%7B"},
		{"application/x-www-form-urlencoded", "payload=" + url.QueryEscape(`{"type":"block_actions","actions":[{"action_id":"x","value":"x"}]}`)},
		{"application/x-www-form-urlencoded", "command=%2Fask"},
	}
	for _, b := range bodies {
		w := serve(a, signed([]byte(b.body), b.ct, time.Now(), testSecret))
		if w.Code != 200 && w.Code != 400 {
			t.Errorf("%q: status %d, want it acknowledged or refused as bad", b.body, w.Code)
		}
	}
	if got := rec.snapshot(); len(got.messages)+len(got.actions) != 0 {
		t.Fatalf("garbage reached the inbox: %+v %+v", got.messages, got.actions)
	}
}

func TestClickIsDeliveredAtTheCardsAddress(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	if w := serve(a, interactionRequest(t, "block_actions.json")); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	serve(a, interactionRequest(t, "block_actions_select.json"))
	got := rec.snapshot().actions
	if len(got) != 2 {
		t.Fatalf("got %d actions", len(got))
	}
	b := got[0]
	wantRef := bot.MessageRef{Address: bot.Address{Platform: "slack", Workspace: "T0FAKE", Channel: "C0GENERAL", Thread: "1730000000.000100"}, ID: "1730000800.001100"}
	if b.ID != "act_OPTIONAPPROVE" || b.User.ID != "U0BEN" || b.User.Name != "ben" || b.Message != wantRef || b.EventID == "" || b.Reply == nil {
		t.Fatalf("button click %+v", b)
	}
	s := got[1]
	if s.ID != "act_REGIONUS" || s.Message.Address.Thread != "" || s.Message.Channel != "D0ANA" {
		t.Fatalf("select click %+v", s)
	}
}

func TestSlashCommandIsAMessageToTheBot(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	w := serve(a, signed(fixture(t, "slash_command.txt"), "application/x-www-form-urlencoded", time.Now(), testSecret))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"in_channel"`) {
		t.Fatalf("status %d body %q", w.Code, w.Body)
	}
	got := rec.snapshot().messages
	if len(got) != 1 {
		t.Fatalf("got %d messages", len(got))
	}
	m := got[0]
	if !m.Mention || m.Text != "what changed in #deploys today?" || m.Address.Channel != "C0GENERAL" || m.User.ID != "U0ANA" || m.EventID == "" {
		t.Fatalf("message %+v", m)
	}
}

func TestHandlersForOnePathTakeOnlyTheirKind(t *testing.T) {
	t.Parallel()
	a, _, _ := started(t, slack.Config{})
	if w := serve(a.EventsHandler(), interactionRequest(t, "block_actions.json")); w.Code != 400 {
		t.Fatalf("events handler given a click: %d", w.Code)
	}
	if w := serve(a.InteractionsHandler(), interactionRequest(t, "block_actions.json")); w.Code != 200 {
		t.Fatalf("interactions handler: %d", w.Code)
	}
	if w := serve(a.CommandsHandler(), signed(fixture(t, "slash_command.txt"), "application/x-www-form-urlencoded", time.Now(), testSecret)); w.Code != 200 {
		t.Fatalf("commands handler: %d", w.Code)
	}
	if w := serve(a.EventsHandler(), eventRequest(t, "app_mention.json")); w.Code != 200 {
		t.Fatalf("events handler: %d", w.Code)
	}
}

func TestStoppingAnswers503AndInboxErrorsAre500(t *testing.T) {
	t.Parallel()
	a, rec, cancel := started(t, slack.Config{})
	rec.mu.Lock()
	rec.err = bot.ErrStopping
	rec.mu.Unlock()
	if w := serve(a, eventRequest(t, "app_mention.json")); w.Code != 503 {
		t.Fatalf("inbox stopping: status %d, want 503", w.Code)
	}
	rec.mu.Lock()
	rec.err = errors.New("store unreachable")
	rec.mu.Unlock()
	if w := serve(a, eventRequest(t, "app_mention.json")); w.Code != 500 {
		t.Fatalf("inbox failing: status %d, want 500", w.Code)
	}
	rec.mu.Lock()
	rec.err = nil
	rec.mu.Unlock()
	cancel()
	if w := serve(a, eventRequest(t, "app_mention.json")); w.Code != 503 {
		t.Fatalf("after the context ended: status %d, want 503", w.Code)
	}
	notStarted, err := slack.New(slack.Config{BotToken: "xoxb-x", SigningSecret: testSecret, Env: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(notStarted, eventRequest(t, "app_mention.json")); w.Code != 503 {
		t.Fatalf("before Start: status %d, want 503", w.Code)
	}
}

func TestAssistantContextIsKept(t *testing.T) {
	t.Parallel()
	a, _, _ := started(t, slack.Config{})
	serve(a, eventRequest(t, "assistant_thread_started.json"))
	addr := bot.Address{Platform: "slack", Workspace: "T0FAKE", Channel: "D0ANA", Thread: "1730000600.000800"}
	if got := a.AssistantContext(addr); got != "C0GENERAL" {
		t.Fatalf("context after start %q", got)
	}
	serve(a, eventRequest(t, "assistant_thread_context_changed.json"))
	if got := a.AssistantContext(addr); got != "C0DEPLOY" {
		t.Fatalf("context after change %q", got)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		cfg  slack.Config
		want []string
	}{
		{slack.Config{Env: env(nil)}, []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}},
		{slack.Config{Env: env(map[string]string{"SLACK_BOT_TOKEN": "xoxp-user"})}, []string{"SLACK_BOT_TOKEN", "xoxb-"}},
		{slack.Config{Env: env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"})}, []string{"SLACK_APP_TOKEN", "xapp-"}},
	}
	for _, c := range cases {
		_, err := slack.New(c.cfg)
		if err == nil {
			t.Errorf("%+v: no error", c.cfg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not name %s", err, w)
			}
		}
	}
	if _, err := slack.New(slack.Config{Env: env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})}); err != nil {
		t.Errorf("Socket Mode needs no signing secret: %v", err)
	}
	if _, err := slack.New(slack.Config{Env: env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})}); err != nil {
		t.Errorf("from env: %v", err)
	}
}

// The adapter reads events itself (see decodeCallback); slack-go's own
// decoding, stricter since v0.36, must read the same payloads, so that the
// two never drift apart unnoticed. The one fixture it refuses is the one
// that shows why the adapter reads for itself.
func TestFixturesParseWithSlackGo(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		body := fixture(t, name)
		var err error
		if strings.HasPrefix(name, "block_actions") {
			var ic slackgo.InteractionCallback
			err = json.Unmarshal(body, &ic)
		} else {
			_, err = slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		}
		malformed := strings.Contains(name, "malformed")
		if (err != nil) != malformed {
			t.Errorf("%s: slack-go says %v", name, err)
		}
	}
}

func TestFieldOfUnexpectedTypeLosesOnlyThatField(t *testing.T) {
	t.Parallel()
	a, rec, _ := started(t, slack.Config{})
	body := []byte(`{"type":"event_callback","team_id":"T0FAKE","event_id":"Ev1","event":{"type":"message","channel_type":"im","channel":"D0ANA","user":"U0ANA","text":"hi","ts":"1730000000.000001","deleted_ts":17}}`)
	if w := serve(a, signed(body, "application/json", time.Now(), testSecret)); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if got := rec.snapshot().messages; len(got) != 1 || got[0].Text != "hi" {
		t.Fatalf("messages %+v", got)
	}
}
