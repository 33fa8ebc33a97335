package slackfake

import (
	"strconv"
	"testing"
)

// FuzzText feeds arbitrary text, blocks and attachments to what reads
// messages: it must never panic, whatever an app sends.
func FuzzText(f *testing.F) {
	f.Add("Hi <@U0ANA> <https://x.io|x> &amp;", `[{"type":"section","text":{"type":"mrkdwn","text":"<#C1>"},"accessory":{"type":"button","text":{"type":"plain_text","text":"Go"}}}]`, `[{"text":"t","blocks":[{"type":"actions","elements":[{"type":"static_select","options":[{"text":{"type":"plain_text","text":"A"},"value":"a"}]}]}]}]`)
	f.Add("<", `[{"type":"table","rows":[[null,{"type":"raw_number","value":1}]]}]`, `[null]`)
	f.Add("<!date^1|x>", `[{"type":"rich_text","elements":[{"type":"rich_text_list","elements":[{"type":"rich_text_section","elements":[{"type":"emoji","name":"x"}]}]}]}]`, `{}`)
	f.Fuzz(func(t *testing.T, text, blocks, attachments string) {
		n := 0
		next := func(p string) string { n++; return p + strconv.Itoa(n) }
		m := Msg{Text: text}
		if raw, err := normalizeBlocks([]byte(blocks), next); err == nil {
			m.rawBlocks = raw
		}
		if raw, err := normalizeAttachments([]byte(attachments), next); err == nil {
			m.rawAttachments = raw
		}
		_ = m.PlainText()
		for _, c := range m.Controls() {
			if c.Type == "" && c.Label != "" {
				t.Errorf("control %q has no type", c.Label)
			}
		}
	})
}
