package web_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
)

// The page's script reads the people as {"id", "name"} (p.id, p.name),
// case and all: Go's decoder, which the API tests use, matches names
// without regard to case and so would not notice {"ID", "Name"}, which
// leaves the script's "signed in as" switcher with empty options.
func TestStateNamesPeopleAsTheScriptReadsThem(t *testing.T) {
	t.Parallel()
	a, err := web.New(web.Config{NoListen: true, Dir: t.TempDir(), Logger: quiet(),
		People: []bot.User{{ID: "ana", Name: "Ana"}, {ID: "ben"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	resp := do(a, local(httptest.NewRequest("GET", "/api/state?as=ana", nil)))
	body, _ := io.ReadAll(resp.Body)
	var st struct {
		People []map[string]any `json:"people"`
	}
	if err := json.Unmarshal(body, &st); err != nil || resp.StatusCode != 200 {
		t.Fatalf("state: %s %s %v", resp.Status, body, err)
	}
	want := []map[string]any{{"id": "ana", "name": "Ana"}, {"id": "ben", "name": "ben"}}
	if len(st.People) != len(want) {
		t.Fatalf("people: %v, want %v", st.People, want)
	}
	for i, p := range st.People {
		for k, v := range want[i] {
			if p[k] != v {
				t.Errorf("person %d: %q is %v, want %v (the person as sent: %v)", i, k, p[k], v, p)
			}
		}
	}
}
