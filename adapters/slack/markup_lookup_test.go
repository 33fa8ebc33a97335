package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A message mentioning hundreds of people costs a bounded number of
// users.info calls, however long they take: past the budget and the cap,
// names come from the cache or stay ids.
func TestMentionsOfManyPeopleCostFewLookups(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a := f.adapter(nil)
	var calls atomic.Int32
	f.on("users.info", func(_ int, w http.ResponseWriter, form url.Values) bool {
		calls.Add(1)
		time.Sleep(20 * time.Millisecond)
		reply(w, userJSON(form.Get("user"), "n", "", "", false))
		return true
	})
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "<@U%06d> ", i)
	}
	got := a.markdown(context.Background(), "T1", b.String())
	if n := calls.Load(); n > maxNameLookups {
		t.Errorf("%d users.info calls for one message; the cap is %d", n, maxNameLookups)
	}
	if !strings.Contains(got, "@U000399") {
		t.Errorf("a mention past the cap should show as its id: %.80q…", got)
	}
}
