package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/tools"
)

// chatter is a discussion the bot was not addressed in, before it is
// asked about it.
var chatter = []struct {
	who  bot.User
	text string
}{
	{bottest.Ana, "Shall we ship on Friday?"},
	{bottest.Ben, "Only if the migration is done."},
	{bottest.Ana, "It is. Friday then."},
}

// start starts the example's bot with model after the chatter.
func start(t *testing.T, model bot.Model) *bottest.Harness {
	t.Helper()
	cfg := config()
	cfg.Model = model
	h := bottest.Start(t, cfg)
	for _, c := range chatter {
		if _, err := h.Adapter.Deliver(bot.Message{Address: bottest.DefaultThread, User: c.who, Text: c.text}); err != nil {
			t.Fatal(err)
		}
	}
	h.Wait()
	return h
}

func TestTheModelReadsTheThreadItIsAskedIn(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("read_thread", tools.ReadThreadArgs{}),
		bottest.Reply("Ana and Ben agreed to ship on Friday."),
	)
	h := start(t, model)
	h.Send(bottest.Ben, "what did we decide?")

	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	last := reqs[1].Messages[len(reqs[1].Messages)-1]
	var read []tools.ThreadMessage
	if err := json.Unmarshal([]byte(last.Content), &read); err != nil {
		t.Fatalf("read_thread's result %q: %v", last.Content, err)
	}
	var got []string
	for _, m := range read {
		got = append(got, m.From+": "+m.Text)
	}
	want := []string{"ana: Shall we ship on Friday?", "ben: Only if the migration is done.", "ana: It is. Friday then.", "ben: what did we decide?"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read_thread gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := h.Adapter.LastText(); got != "Ana and Ben agreed to ship on Friday." {
		t.Errorf("answer %q", got)
	}
}

func TestOfflineModelSummarizesWhoSaidWhat(t *testing.T) {
	t.Parallel()
	m := offlineModel()
	m.WordDelay = 1
	h := start(t, m)
	h.Send(bottest.Ben, "summarize this thread")
	want := `I read the thread: ana wrote 2 (latest: "It is. Friday then."); ben wrote 1 (latest: "Only if the migration is done.").`
	if got := h.Adapter.LastText(); got != want {
		t.Errorf("answer\n%s\nwant\n%s", got, want)
	}
}
