package discord_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

// startDirect starts an adapter on a fake, sends a DM "first" and returns
// the fake, the recorder and that DM's event, a template for others.
func startDirect(t *testing.T) (*discordfake.Server, *recorder, discordfake.Event) {
	t.Helper()
	f := newFake(t, nil)
	a := newAdapter(t, f, nil)
	in := newRecorder()
	start(t, a, in)
	ev := f.DirectMessage(discordfake.Ana, "first")
	in.waitN(t, 1)
	return f, in, ev
}

// sendLike dispatches a MESSAGE_CREATE like ev, with id and content
// empty, changed by set.
func sendLike(t *testing.T, f *discordfake.Server, ev discordfake.Event, id string, set func(map[string]any)) {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Fatal(err)
	}
	d["id"], d["content"] = id, ""
	set(d)
	ev.Data, _ = json.Marshal(d)
	ev.ID = id
	f.Dispatch(ev)
}

// A DM of an attachment alone reaches the bot as a line naming the file,
// its type and its URL.
func TestAttachmentOnlyDirectMessageIsReadable(t *testing.T) {
	t.Parallel()
	f, in, ev := startDirect(t)
	const url = "https://cdn.discordapp.com/attachments/1/2/report.pdf"
	sendLike(t, f, ev, "1200000000000009999", func(d map[string]any) {
		d["attachments"] = []any{map[string]any{
			"id": "1200000000000009998", "filename": "report.pdf", "size": 1234,
			"url": url, "proxy_url": "https://media.discordapp.net/x", "content_type": "application/pdf",
		}}
	})
	got := in.waitN(t, 2)
	for _, want := range []string{"report.pdf", "application/pdf", url} {
		if !strings.Contains(got[1], want) {
			t.Errorf("an attachment-only DM reached the bot as %q, without %q", got[1], want)
		}
	}
}

// A sticker reaches the bot by its name; a forwarded message by its
// content, quoted.
func TestStickerAndForwardAreReadable(t *testing.T) {
	t.Parallel()
	f, in, ev := startDirect(t)
	sendLike(t, f, ev, "1200000000000009991", func(d map[string]any) {
		d["sticker_items"] = []any{map[string]any{"id": "1", "name": "Wave", "format_type": 1}}
	})
	sendLike(t, f, ev, "1200000000000009992", func(d map[string]any) {
		d["message_reference"] = map[string]any{"type": 1, "message_id": "1", "channel_id": "2"}
		d["message_snapshots"] = []any{map[string]any{"message": map[string]any{"content": "the meeting moved to 3pm", "type": 0}}}
	})
	got := in.waitN(t, 3)
	if !strings.Contains(got[1], "Wave") {
		t.Errorf("a sticker reached the bot as %q, without its name", got[1])
	}
	if !strings.Contains(got[2], "forwarded") || !strings.Contains(got[2], "the meeting moved to 3pm") {
		t.Errorf("a forward reached the bot as %q, without its content", got[2])
	}
}

// A message with nothing the model could read (an embed alone) does not
// reach the bot.
func TestUnreadableMessageIsDropped(t *testing.T) {
	t.Parallel()
	f, in, ev := startDirect(t)
	sendLike(t, f, ev, "1200000000000009993", func(d map[string]any) {
		d["embeds"] = []any{map[string]any{"url": "https://example.com"}}
	})
	f.DirectMessage(discordfake.Ana, "sentinel") // same lane: after the empty one
	if got := in.waitN(t, 2); got[1] != "sentinel" {
		t.Errorf("a message with nothing readable reached the bot as %q", got[1])
	}
}

// A mention of a person whose name cannot be found reaches the model as
// @unknown-user, not as markup it could repeat into a ping.
func TestUnresolvedUserMentionIsNotMarkup(t *testing.T) {
	t.Parallel()
	f, in, ev := startDirect(t)
	f.Fail(discordfake.RouteGetUser, http.StatusNotFound, discordgo.ErrCodeUnknownUser, 2)
	sendLike(t, f, ev, "1200000000000009994", func(d map[string]any) {
		d["content"] = "ask <@1299999999999999999> and <@!1299999999999999998>"
		d["mentions"] = []any{} // Discord lists no user it does not know
	})
	got := in.waitN(t, 2)
	if got[1] != "ask @unknown-user and @unknown-user" {
		t.Errorf("unresolved mentions reached the model as %q", got[1])
	}
}
