package slackfake_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

var update = flag.Bool("update", false, "rewrite the golden payloads in testdata")

// TestGoldenPayloads pins what the fake sends an app, in Slack's shapes,
// to the files in testdata: a reader can compare them with Slack's
// documentation, and a change to a shape shows in review. Run with
// -update to rewrite them.
func TestGoldenPayloads(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 4, 5, 19, 34, 38, 0, time.UTC)
	f, api := newFake(t, slackfake.Config{Now: func() time.Time { return at }})
	mention, message := f.Mention(slackfake.Ana, "C0DEPLOYS", "deploy web-42", "")
	ts := post(t, api, "C0DEPLOYS", slack.MsgOptionBlocks(card()...), slack.MsgOptionTS(mention.TS))
	click, err := f.Click(slackfake.Ben, "C0DEPLOYS", ts, "Deploy")
	if err != nil {
		t.Fatal(err)
	}
	edit, err := f.Edit("C0DEPLOYS", mention.TS, "deploy web-43")
	if err != nil {
		t.Fatal(err)
	}
	started := f.AssistantThreadStarted(slackfake.Ana, "C0DEPLOYS")
	for name, body := range map[string][]byte{
		"app_mention.json":              mention.Body,
		"message_channels.json":         message.Body,
		"message_im.json":               f.DirectMessage(slackfake.Ana, "hi", started.ThreadTS).Body,
		"message_changed.json":          edit.Body,
		"assistant_thread_started.json": started.Body,
		"block_actions.json":            click.Payload,
		"slash_command.txt":             f.SlashCommand(slackfake.Ana, "C0DEPLOYS", "/deploy", "web-42").Body,
	} {
		var got []byte
		if strings.HasSuffix(name, ".json") {
			var b bytes.Buffer
			if err := json.Indent(&b, body, "", "  "); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got = append(b.Bytes(), '\n')
		} else {
			// A form, a field a line, unescaped.
			form, err := url.ParseQuery(string(body))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var b strings.Builder
			for _, k := range slices.Sorted(maps.Keys(form)) {
				b.WriteString(k + "=" + form.Get(k) + "\n")
			}
			got = []byte(b.String())
		}
		got = bytes.ReplaceAll(got, []byte(f.APIURL()), []byte("http://slack.fake/"))
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
