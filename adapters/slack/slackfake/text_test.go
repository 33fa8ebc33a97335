package slackfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// postRaw posts a message with chat.postMessage's form fields as given,
// so that blocks and attachments reach the fake exactly as written.
func postRaw(t *testing.T, f *slackfake.Server, fields url.Values) slackfake.Msg {
	t.Helper()
	fields.Set("token", f.Config().BotToken)
	fields.Set("channel", "C1")
	res, err := http.PostForm(f.APIURL()+"chat.postMessage", fields)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		TS    string `json:"ts"`
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || !answer.OK {
		t.Fatalf("chat.postMessage %v: %+v, %v", fields, answer, err)
	}
	m, _ := f.Message("C1", answer.TS)
	return m
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	for _, tc := range []struct {
		name                      string
		text, blocks, attachments string
		want                      string
	}{
		{
			name: "text markup",
			text: "Hi <@U0ANA>, see <https://x.io|the docs> &amp; <#C9|general> <!here> <https://y.io>",
			want: "Hi @ana, see the docs & #general @here https://y.io",
		},
		{
			name: "escaped markup characters",
			text: "a \u200b*\u200b b &lt;x&gt;",
			want: "a * b <x>",
		},
		{
			name:   "blocks hide the text",
			text:   "fallback",
			blocks: `[{"type":"header","text":{"type":"plain_text","text":"Title &amp; more"}},{"type":"section","text":{"type":"mrkdwn","text":"Body &amp; <https://x.io|link>"},"fields":[{"type":"mrkdwn","text":"*Service*\nweb"}]},{"type":"divider"},{"type":"context","elements":[{"type":"image","image_url":"https://x.io/a.png","alt_text":"a"},{"type":"plain_text","text":"footer"}]}]`,
			want:   "Title &amp; more\nBody & link\n*Service*\nweb\nfooter",
		},
		{
			name:   "table, markdown and rich text",
			blocks: `[{"type":"table","rows":[[{"type":"raw_text","text":"name"},{"type":"raw_text","text":"n"}],[{"type":"raw_text","text":"web"},{"type":"raw_number","value":3}]]},{"type":"markdown","text":"**bold**"},{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"user","user_id":"U0BEN"},{"type":"text","text":" look at "},{"type":"link","url":"https://x.io"}]}]}]`,
			want:   "name | n\nweb | 3\n**bold**\n@ben look at https://x.io",
		},
		{
			name:        "attachments show after the text",
			text:        "top",
			attachments: `[{"color":"#2eb67d","pretext":"pre","title":"T","text":"body","fields":[{"title":"F","value":"V"}],"blocks":[{"type":"section","text":{"type":"plain_text","text":"in the card"}}],"footer":"foot"}]`,
			want:        "top\npre\nT\nbody\nF\nV\nin the card\nfoot",
		},
	} {
		fields := url.Values{}
		for k, v := range map[string]string{"text": tc.text, "blocks": tc.blocks, "attachments": tc.attachments} {
			if v != "" {
				fields.Set(k, v)
			}
		}
		if got := postRaw(t, f, fields).PlainText(); got != tc.want {
			t.Errorf("%s: PlainText = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	f, _ := newFake(t, slackfake.Config{})
	m := postRaw(t, f, url.Values{
		"blocks": {`[
			{"type":"section","text":{"type":"mrkdwn","text":"Pick"},"accessory":{"type":"overflow","action_id":"more","options":[{"text":{"type":"plain_text","text":"Edit"},"value":"e"}]}},
			{"type":"actions","block_id":"row","elements":[
				{"type":"button","text":{"type":"plain_text","text":"Ship"},"action_id":"ship","value":"s"},
				{"type":"button","text":{"type":"plain_text","text":"Docs"},"url":"https://x.io"},
				{"type":"radio_buttons","action_id":"r","options":[{"text":{"type":"plain_text","text":"A"},"value":"a"},{"text":{"type":"plain_text","text":"B"},"value":"b"}]},
				{"type":"static_select","action_id":"g","option_groups":[{"label":{"type":"plain_text","text":"G"},"options":[{"text":{"type":"plain_text","text":"C"},"value":"c"}]}]}
			]}]`},
		"attachments": {`[{"blocks":[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Hold"},"action_id":"hold"}]}]}]`},
	})
	if want := []string{"Edit", "Ship", "Docs", "A", "B", "C", "Hold"}; !slices.Equal(m.Options(), want) {
		t.Errorf("Options = %q; want %q", m.Options(), want)
	}
	ctrls := m.Controls()
	if c := ctrls[1]; c.Type != "button" || c.ActionID != "ship" || c.BlockID != "row" || c.Value != "s" || c.Attachment != 0 {
		t.Errorf("the Ship control is %+v; want button ship in row", c)
	}
	if c := ctrls[2]; c.URL != "https://x.io" || c.ActionID == "" {
		t.Errorf("the Docs control is %+v; want a link button with a generated action_id", c)
	}
	if c := ctrls[4]; c.Type != "radio_buttons" || c.Value != "b" || c.ActionID != "r" {
		t.Errorf("the B control is %+v; want option b of radio r", c)
	}
	if c := ctrls[6]; c.Attachment != 1 || c.BlockID == "" {
		t.Errorf("the Hold control is %+v; want it in attachment 1, with a generated block_id", c)
	}
	if m.PlainText() != "Pick" {
		t.Errorf("PlainText = %q; want the labels left out", m.PlainText())
	}
}
