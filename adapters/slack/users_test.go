package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
)

// userJSON is a user as users.info and users.lookupByEmail return it.
func userJSON(id, name, realName, displayName string, isBot bool) map[string]any {
	return map[string]any{
		"ok": true,
		"user": map[string]any{
			"id": id, "name": name, "real_name": realName, "is_bot": isBot,
			"profile": map[string]any{"display_name": displayName, "real_name": realName},
		},
	}
}

func TestLookupUserNamesThePerson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		user, real, disp string
		isBot            bool
		want             bot.User
	}{
		{"display name first", "ana.s", "Ana Silva", "ana", false, bot.User{ID: "U1", Name: "ana"}},
		{"else the real name", "ana.s", "Ana Silva", "", false, bot.User{ID: "U1", Name: "Ana Silva"}},
		{"else the user name", "ana.s", "", "", false, bot.User{ID: "U1", Name: "ana.s"}},
		{"a bot", "helper", "Helper", "", true, bot.User{ID: "U1", Name: "Helper", IsBot: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			a := f.adapter(nil)
			f.on("users.info", func(_ int, w http.ResponseWriter, form url.Values) bool {
				reply(w, userJSON(form.Get("user"), tt.user, tt.real, tt.disp, tt.isBot))
				return true
			})
			got, err := a.LookupUser(ctxT(t), thread, "U1")
			if err != nil || got != tt.want {
				t.Errorf("LookupUser = %+v, %v; want %+v", got, err, tt.want)
			}
			if calls := f.callsTo("users.info"); len(calls) != 1 || calls[0].Form.Get("user") != "U1" {
				t.Errorf("users.info calls %v; want one for U1", calls)
			}
		})
	}
}

func TestLookupUserAcceptsAMention(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("users.info", func(_ int, w http.ResponseWriter, form url.Values) bool {
		reply(w, userJSON(form.Get("user"), "bo", "", "", false))
		return true
	})
	if got, err := a.LookupUser(ctxT(t), thread, "<@U7|bo>"); err != nil || got.ID != "U7" {
		t.Errorf("LookupUser(<@U7|bo>) = %+v, %v; want U7", got, err)
	}
}

func TestLookupUserByEmail(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	ctx := ctxT(t)
	f.on("users.lookupByEmail", func(_ int, w http.ResponseWriter, form url.Values) bool {
		if form.Get("email") != "ana@example.com" {
			slackError(w, "users_not_found")
			return true
		}
		reply(w, userJSON("U1", "ana.s", "Ana Silva", "ana", false))
		return true
	})
	got, err := a.LookupUser(ctx, thread, "ana@example.com")
	if err != nil || got != (bot.User{ID: "U1", Name: "ana"}) {
		t.Fatalf("LookupUser by email = %+v, %v; want U1 ana", got, err)
	}
	// Cached by id as well: no users.info.
	if got, err := a.user(ctx, "T1", "U1"); err != nil || got.Name != "ana" {
		t.Errorf("user(U1) after the email lookup = %+v, %v; want ana", got, err)
	}
	if _, err := a.LookupUser(ctx, thread, "ANA@example.com"); err != nil {
		t.Errorf("LookupUser with the address in capitals: %v", err)
	}
	if n, m := len(f.callsTo("users.info")), len(f.callsTo("users.lookupByEmail")); n != 0 || m != 1 {
		t.Errorf("users.info called %d times and users.lookupByEmail %d; want 0 and 1", n, m)
	}
}

func TestLookupUserUnknown(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	f.on("users.info", func(_ int, w http.ResponseWriter, _ url.Values) bool {
		slackError(w, "user_not_found")
		return true
	})
	ctx := ctxT(t)
	_, err := a.LookupUser(ctx, thread, "UNOBODY")
	if err == nil || !strings.HasPrefix(err.Error(), "slack: users.info") || !strings.Contains(err.Error(), "user_not_found") || errors.Is(err, bot.ErrUnsupported) {
		t.Errorf("LookupUser of an unknown id: %v; want Slack's user_not_found", err)
	}
	if _, err := a.LookupUser(ctx, thread, "UNOBODY"); err == nil {
		t.Error("the second lookup of an unknown id succeeded")
	}
	if n := len(f.callsTo("users.info")); n != 2 {
		t.Errorf("users.info called %d times; want 2: a failure is not cached", n)
	}
	if _, err := a.LookupUser(ctx, thread, " "); err == nil {
		t.Error("LookupUser of a blank id succeeded")
	}
}

func TestUserCacheExpiresAfterTheTTL(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(func(c *Config) { c.UserCacheTTL = time.Minute })
	var mu sync.Mutex
	now := time.Now()
	a.out.users.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	names := []string{"first", "second"}
	f.on("users.info", func(n int, w http.ResponseWriter, form url.Values) bool {
		reply(w, userJSON(form.Get("user"), names[min(n, 2)-1], "", "", false))
		return true
	})
	ctx := ctxT(t)
	for _, step := range []struct {
		after time.Duration
		want  string
	}{{0, "first"}, {59 * time.Second, "first"}, {2 * time.Second, "second"}} {
		advance(step.after)
		if got, err := a.LookupUser(ctx, thread, "U1"); err != nil || got.Name != step.want {
			t.Errorf("+%v: LookupUser = %+v, %v; want %q", step.after, got, err, step.want)
		}
	}
	if n := len(f.callsTo("users.info")); n != 2 {
		t.Errorf("users.info called %d times; want 2", n)
	}
}

func TestConcurrentLookupsOfOneUserMakeOneCall(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	release := make(chan struct{})
	f.on("users.info", func(_ int, w http.ResponseWriter, form url.Values) bool {
		<-release
		reply(w, userJSON(form.Get("user"), "ana", "", "", false))
		return true
	})
	ctx := ctxT(t)
	const n = 8
	// The first caller gives up while the call is in flight; the others
	// must still get the user.
	quitter, quit := context.WithCancel(ctx)
	var wg sync.WaitGroup
	quitDone := make(chan error, 1)
	go func() {
		_, err := a.LookupUser(quitter, thread, "U1")
		quitDone <- err
	}()
	results := make([]bot.User, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = a.user(ctx, "T1", "U1") })
	}
	f.waitFor("every lookup to join the call in flight", func() bool {
		a.out.users.mu.Lock()
		defer a.out.users.mu.Unlock()
		c := a.out.users.calls["T1/U1"]
		return c != nil && c.joined == n+1
	})
	quit()
	quitErr := <-quitDone // before the call ends: it waits for release
	close(release)
	wg.Wait()
	if !errors.Is(quitErr, context.Canceled) {
		t.Errorf("the lookup whose context ended: %v; want context.Canceled", quitErr)
	}
	for i := range n {
		if errs[i] != nil || results[i].Name != "ana" {
			t.Errorf("lookup %d = %+v, %v; want ana", i, results[i], errs[i])
		}
	}
	if calls := len(f.callsTo("users.info")); calls != 1 {
		t.Errorf("users.info called %d times; want 1", calls)
	}
}

func TestUserCacheStaysBounded(t *testing.T) {
	t.Parallel()
	var c userCache
	for i := range maxUsers + 100 {
		c.put("T1/U"+strconv.Itoa(i), bot.User{}, time.Hour)
	}
	if len(c.entries) > maxUsers {
		t.Errorf("the cache holds %d users; want at most %d", len(c.entries), maxUsers)
	}
}
