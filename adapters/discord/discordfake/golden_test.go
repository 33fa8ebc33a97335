package discordfake_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

var update = flag.Bool("update", false, "rewrite the golden payloads in testdata")

// TestGoldenPayloads pins what the fake sends an application, in
// Discord's shapes, to the files in testdata: a reader can compare them
// with Discord's documentation (the message, interaction and gateway
// pages), and a change to a shape shows in review. Run with -update to
// rewrite them.
func TestGoldenPayloads(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	f, dg := newFake(t, discordfake.Config{
		Now:              func() time.Time { return at },
		PrivateKey:       ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)),
		HTTPInteractions: true,
	})
	mention := f.Mention(discordfake.Ana, discordfake.General, "deploy web-42")
	m := card(t, dg, discordfake.General)
	click, err := f.Click(discordfake.Ben, m.ID, "approve")
	if err != nil {
		t.Fatal(err)
	}
	sel, err := f.Select(discordfake.Ben, m.ID, "env", "staging")
	if err != nil {
		t.Fatal(err)
	}
	edit, err := f.EditMessage(mention.ID, "deploy web-43")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.ApplicationCommandBulkOverwrite(f.Config().ApplicationID, f.Config().GuildID, []*discordgo.ApplicationCommand{{
		Name: "ask", Description: "Ask the bot",
		Options: []*discordgo.ApplicationCommandOption{{Name: "question", Description: "q", Type: discordgo.ApplicationCommandOptionString, Required: true}},
	}}); err != nil {
		t.Fatal(err)
	}
	slash, err := f.SlashCommand(discordfake.Ana, discordfake.General, "ask", map[string]any{"question": "why?"})
	if err != nil {
		t.Fatal(err)
	}
	dm := f.DirectMessage(discordfake.Ben, "hi")
	del, err := f.DeleteMessage(dm.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"message_create_mention.json": mention.Data,
		"message_create_dm.json":      dm.Data,
		"message_update.json":         edit.Data,
		"message_delete.json":         del.Data,
		"interaction_button.json":     click.Data,
		"interaction_select.json":     sel.Data,
		"interaction_command.json":    slash.Data,
		"interaction_ping.json":       f.Ping().Data,
	} {
		var b bytes.Buffer
		if err := json.Indent(&b, body, "", "  "); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := bytes.ReplaceAll(append(b.Bytes(), '\n'), []byte(f.URL()), []byte("https://discord.fake"))
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file; got:\n%s", name, got)
		}
	}
}
