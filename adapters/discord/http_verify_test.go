package discord_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/discord"
)

// signer signs interactions as Discord does: Ed25519 over the timestamp
// followed by the body.
type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t testing.TB) signer {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return signer{pub, priv}
}

func (s signer) request(body string, at time.Time) *http.Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/discord", strings.NewReader(body))
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(s.priv, []byte(ts+body))))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func httpAdapter(t testing.TB, key ed25519.PublicKey) *discord.Adapter {
	a, err := discord.New(discord.Config{
		BotToken: testToken, AppID: testApp, PublicKey: hex.EncodeToString(key),
		Env: envOf(nil), Logger: slog.New(slog.DiscardHandler), MaxBodyBytes: 4096,
		APIURL: "http://127.0.0.1:1/api/v10/",
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func serve(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

const ping = `{"id":"1300000000000000001","application_id":"1100000000000000001","type":1,"token":"tok","version":1}`

func TestHTTPInteractionAnswersAPingWithPong(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	code, body := serve(httpAdapter(t, s.pub), s.request(ping, time.Now()))
	if code != http.StatusOK || !strings.Contains(body, `"type":1`) {
		t.Fatalf("PING answered %d %s, want 200 with a PONG (type 1)", code, body)
	}
}

func TestHTTPInteractionRefusesForgedAndStaleRequests(t *testing.T) {
	t.Parallel()
	s, other := newSigner(t), newSigner(t)
	a := httpAdapter(t, s.pub)
	forgedBody := s.request(ping, time.Now())
	forgedBody.Body = io.NopCloser(strings.NewReader(strings.Replace(ping, "tok", "tak", 1)))
	noSig := s.request(ping, time.Now())
	noSig.Header.Del("X-Signature-Ed25519")
	badTS := s.request(ping, time.Now())
	badTS.Header.Set("X-Signature-Timestamp", "yesterday")
	for name, r := range map[string]*http.Request{
		"signed by another key":       other.request(ping, time.Now()),
		"body changed after signing":  forgedBody,
		"no signature":                noSig,
		"timestamp not a number":      badTS,
		"signed ten minutes ago":      s.request(ping, time.Now().Add(-10*time.Minute)),
		"signed ten minutes from now": s.request(ping, time.Now().Add(10*time.Minute)),
		"signed a day ago, replayed":  s.request(ping, time.Now().Add(-24*time.Hour)),
		"signature of another message": func() *http.Request {
			r := s.request(ping, time.Now())
			r.Header.Set("X-Signature-Ed25519", other.request(ping, time.Now()).Header.Get("X-Signature-Ed25519"))
			return r
		}(),
	} {
		if code, body := serve(a, r); code != http.StatusUnauthorized {
			t.Errorf("%s: answered %d %s, want 401", name, code, body)
		}
	}
	if code, _ := serve(a, s.request(ping, time.Now().Add(-4*time.Minute))); code != http.StatusOK {
		t.Errorf("a request signed four minutes ago answered %d, want 200 (within the five-minute window)", code)
	}
}

func TestHTTPInteractionCapsTheBody(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	big := `{"type":1,"pad":"` + strings.Repeat("x", 8000) + `"}`
	if code, _ := serve(httpAdapter(t, s.pub), s.request(big, time.Now())); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an 8 KB body over a 4 KB cap answered %d, want 413", code)
	}
}

func TestHTTPInteractionRefusesClicksUntilStarted(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	click := `{"id":"1300000000000000002","application_id":"1100000000000000001","type":3,"token":"tok","version":1,"channel_id":"1","user":{"id":"2","username":"ana"},"message":{"id":"3","channel_id":"1"},"data":{"custom_id":"x","component_type":2}}`
	if code, _ := serve(httpAdapter(t, s.pub), s.request(click, time.Now())); code != http.StatusServiceUnavailable {
		t.Errorf("a click before Start answered %d, want 503", code)
	}
}

func TestHTTPInteractionWithoutPublicKeyRefusesAll(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	a, err := discord.New(discord.Config{BotToken: testToken, AppID: testApp, Env: envOf(nil), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := serve(a, s.request(ping, time.Now())); code != http.StatusUnauthorized {
		t.Errorf("answered %d without a public key, want 401", code)
	}
}

// FuzzHTTPInteraction sends the handler any body, signed and unsigned:
// it never panics, and only a verified request is ever answered 200.
func FuzzHTTPInteraction(f *testing.F) {
	s := newSigner(f)
	a := httpAdapter(f, s.pub)
	f.Add(ping, true, int64(0))
	f.Add(`{"type":3,"data":{"custom_id":"sel:x","values":[]},"message":null}`, true, int64(0))
	f.Add(`{"type":2,"data":{"name":"ask","options":[{"name":"prompt","type":3,"value":7}]}}`, true, int64(0))
	f.Add(`{"type":"x"}`, false, int64(-400))
	f.Add("", true, int64(1e6))
	f.Fuzz(func(t *testing.T, body string, sign bool, skew int64) {
		r := s.request(body, time.Now().Add(time.Duration(skew)*time.Second))
		if !sign {
			r.Header.Set("X-Signature-Ed25519", strings.Repeat("0", 128))
		}
		r = r.WithContext(context.Background())
		code, _ := serve(a, r)
		fresh := skew > -290 && skew < 290
		if code == http.StatusOK && (!sign || !fresh) {
			t.Fatalf("answered 200 to a request signed=%v skew=%ds", sign, skew)
		}
	})
}
