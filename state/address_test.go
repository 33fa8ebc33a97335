package state

import "testing"

// An address's key is the bot's name for its conversation: lanes,
// transcripts and dedupe keys hang on it. Two addresses have one key only
// when they are the same address.
func TestAddressKeysNeverCollide(t *testing.T) {
	addrs := []Address{
		{Platform: "x", Channel: "T1:C1"},
		{Platform: "x", Workspace: "T1", Channel: "C1"},
		{Platform: "x", Channel: "C1/9"},
		{Platform: "x", Channel: "C1", Thread: "9"},
		{Platform: "x", Channel: "C1%2F9"},
		{Platform: "x:T1", Channel: "C1"},
		{Platform: "x", Workspace: "T1", Channel: "C1", Thread: "a/b"},
		{Platform: "x", Workspace: "T1", Channel: "C1/a", Thread: "b"},
	}
	seen := map[string]Address{}
	for _, a := range addrs {
		k := a.String()
		if other, ok := seen[k]; ok {
			t.Errorf("%+v and %+v share the key %q", a, other, k)
		}
		seen[k] = a
	}
	// Ids that need no escaping keep the keys a Store already holds.
	if got, want := (Address{Platform: "slack", Workspace: "T0", Channel: "C0", Thread: "1.2"}).String(), "slack:T0:C0/1.2"; got != want {
		t.Errorf("key %q, want %q", got, want)
	}
}
