package slack

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestManifestFollowsTable proves that the manifest is derived from the
// table the adapter reads: it walks the table, not a copy of it, so a row
// added to botEvents or botScopes that the manifest did not pick up fails
// here, and so does anything in the manifest the table does not list.
func TestManifestFollowsTable(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"", "https://bot.example.com/slack"} {
		out, err := Manifest(ManifestOptions{RequestURL: url})
		if err != nil {
			t.Fatal(err)
		}
		var m appManifest
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		events := m.Settings.EventSubscriptions.BotEvents
		scopes := m.OAuthConfig.Scopes.Bot

		var wantEvents []string
		for _, e := range botEvents {
			wantEvents = append(wantEvents, e.Name)
			if !slices.Contains(events, e.Name) {
				t.Errorf("url %q: event %s of the table is not in bot_events %v", url, e.Name, events)
			}
			for _, s := range e.Scopes {
				if !slices.Contains(scopes, s) {
					t.Errorf("url %q: scope %s, needed by event %s, is not in the bot scopes %v", url, s, e.Name, scopes)
				}
			}
		}
		for _, s := range botScopes {
			if !slices.Contains(scopes, s.Scope) {
				t.Errorf("url %q: scope %s (%s) of the table is not in the bot scopes %v", url, s.Scope, s.Why, scopes)
			}
		}
		if !slices.Equal(events, wantEvents) {
			t.Errorf("url %q: bot_events = %v, want exactly the table's %v", url, events, wantEvents)
		}
		if want := requiredScopes(); !slices.Equal(scopes, want) {
			t.Errorf("url %q: bot scopes = %v, want exactly requiredScopes() %v", url, scopes, want)
		}
	}
}
