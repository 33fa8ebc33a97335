package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
	"github.com/parleybot/parley/render/discordui"
)

// buttonCard is a message with one row of buttons with the custom_ids ids.
func buttonCard(text string, ids ...string) discordui.Message {
	var row discordgo.ActionsRow
	for _, id := range ids {
		row.Components = append(row.Components, discordgo.Button{Label: id, CustomID: id, Style: discordgo.PrimaryButton})
	}
	return discordui.Message{Content: text, Components: []discordgo.MessageComponent{row}}
}

// customIDs returns the custom_ids of m's buttons and selects.
func customIDs(cs []discordgo.MessageComponent) []string {
	var out []string
	for _, c := range cs {
		switch c := c.(type) {
		case discordgo.ActionsRow:
			out = append(out, customIDs(c.Components)...)
		case *discordgo.ActionsRow:
			out = append(out, customIDs(c.Components)...)
		case discordgo.Button:
			out = append(out, c.CustomID)
		case *discordgo.Button:
			out = append(out, c.CustomID)
		case discordgo.SelectMenu:
			out = append(out, c.CustomID)
		case *discordgo.SelectMenu:
			out = append(out, c.CustomID)
		}
	}
	return out
}

func TestAStampedCustomIDNamesItsGroup(t *testing.T) {
	t.Parallel()
	group := []string{"1200000000000000501", "1200000000000000502", "1200000000000000503"}
	for self := range group {
		ids := append([]string(nil), group...)
		ids[self] = "" // not posted yet: the component's own message
		m := stampGroup(buttonCard("x", "APPROVE", discordui.SelectPrefix+"OPT"), ids, self)
		got := customIDs(m.Components)
		for k, want := range []string{"APPROVE", discordui.SelectPrefix + "OPT"} {
			id, g := groupOf(got[k], group[self])
			if id != want || g != platform.JoinID(group) {
				t.Errorf("message %d: groupOf(%q) = %q, %q; want %q, %q", self, got[k], id, g, want, platform.JoinID(group))
			}
		}
	}
}

func TestABareCustomIDNamesItsMessage(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"APPROVE", "a~b", "a~_", "a~_._", "a~zz.yy", "a~_.!!", "~", "a~_.", "sel:x~1"} {
		if got, g := groupOf(id, "42"); got != id || g != "42" {
			t.Errorf("groupOf(%q) = %q, %q; want it bare, naming message 42", id, got, g)
		}
	}
}

func TestACustomIDTooLongForTheGroupIsLeftBare(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("A", maxCustomID-10)
	m := stampGroup(buttonCard("x", long, "SHORT"), []string{"1200000000000000501", ""}, 1)
	got := customIDs(m.Components)
	if got[0] != long {
		t.Errorf("a custom_id of %d characters was stamped to %d", len(long), len(got[0]))
	}
	if got[1] == "SHORT" || len(got[1]) > maxCustomID {
		t.Errorf("a short custom_id was not stamped: %q", got[1])
	}
	if single := stampGroup(buttonCard("x", "SHORT"), []string{""}, 0); customIDs(single.Components)[0] != "SHORT" {
		t.Error("a message alone was stamped")
	}
}

// Every message of a group with components names the group in its
// custom_ids on Discord: the last one as posted, the others by an edit
// once the group is complete.
func TestPostGroupNamesTheGroupInEveryMessageWithComponents(t *testing.T) {
	t.Parallel()
	a, f, at := fakeAdapter(t, typingEvery, time.Minute)
	msgs := []discordui.Message{
		buttonCard("first", "ONE"),
		{Content: "second, without buttons"},
		buttonCard("third", "THREE"),
	}
	ids, err := a.postGroup(context.Background(), at, msgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 2} {
		m, ok := f.Message(ids[k])
		if !ok {
			t.Fatalf("message %s is not on the fake", ids[k])
		}
		for _, cid := range m.CustomIDs() {
			if _, g := groupOf(cid, ids[k]); g != platform.JoinID(ids) {
				t.Errorf("message %d's custom_id %q names %q; want the group %q", k, cid, g, platform.JoinID(ids))
			}
		}
	}
}

// FuzzGroupOf reads custom_ids as Discord sends them back: never a
// crash, and a group named always holds the clicked message.
func FuzzGroupOf(f *testing.F) {
	for _, s := range []string{"APPROVE", "APPROVE~_.a1b2", "sel:X~9zz._.q", "~_", "a~_._", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, customID string) {
		id, g := groupOf(customID, "77")
		if !strings.HasPrefix(customID, id) {
			t.Errorf("groupOf(%q) returned the id %q, not a prefix", customID, id)
		}
		found := false
		for _, m := range platform.SplitID(g) {
			found = found || m == "77"
		}
		if !found {
			t.Errorf("groupOf(%q) names %q, without the clicked message", customID, g)
		}
	})
}
