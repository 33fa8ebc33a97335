package bot

import "testing"

// The dedupe keys a Store already holds, of ids without ':', '/' or '%',
// are the keys the bot looks for: a redelivery across an upgrade is still
// a duplicate.
func TestDedupeKeysOfOrdinaryIDsAreUnchanged(t *testing.T) {
	cases := []struct {
		addr Address
		want string
	}{
		{Address{Platform: "slack", Workspace: "T0", Channel: "C0"}, "event:slack:T0:message:Ev1"},
		{Address{Platform: "web", Channel: "c1"}, "event:web::message:Ev1"},
	}
	for _, c := range cases {
		if got := dedupeKey(c.addr, "message", "Ev1"); got != c.want {
			t.Errorf("dedupeKey(%+v) = %q, want %q", c.addr, got, c.want)
		}
	}
}
