package main

import (
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

// day is the date every test's forecast starts on.
var day = func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }

func start(t *testing.T, model bot.Model) *bottest.Harness {
	t.Helper()
	cfg := config(demoForecasts{now: day})
	cfg.Model = model
	return bottest.Start(t, cfg)
}

func TestTheForecastShowsItsProgressThenACard(t *testing.T) {
	t.Parallel()
	h := start(t, bottest.NewModel(
		bottest.Call("forecast", ForecastArgs{City: "paris", Days: 2}),
		bottest.Reply("Mild in Paris."),
	))
	h.Send(bottest.Ana, "weather in Paris?")

	// The bot sets statuses of its own ("is thinking…"); the tool's come
	// in order among them, and the last clears the line.
	var statuses []string
	for _, s := range h.Adapter.Statuses() {
		statuses = append(statuses, s.Text)
	}
	all := "|" + strings.Join(statuses, "|") + "|"
	tool := "|Finding paris…|Fetching 2 days of forecast for Paris…|"
	if !strings.Contains(all, tool) || statuses[len(statuses)-1] != "" {
		t.Errorf("statuses %q, want %q among them and the last empty", statuses, tool)
	}

	posts := h.Adapter.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d posts, want the card and the answer: %q", len(posts), h.Adapter.Texts())
	}
	text := posts[0].Text()
	for _, want := range []string{"Forecast for Paris", "Day", "Conditions", "Mon 2 Mar", "Tue 3 Mar", "°C", "demo data"} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Wed 4 Mar") {
		t.Errorf("the card shows more days than asked:\n%s", text)
	}
	if got := h.Adapter.LastText(); got != "Mild in Paris." {
		t.Errorf("answer %q", got)
	}
}

// An unknown city clears the status and reaches the model as an error;
// no card is posted.
func TestAnUnknownCityPostsNoCard(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("forecast", ForecastArgs{City: "Atlantis"}),
		bottest.Reply("I don't know Atlantis."),
	)
	h := start(t, model)
	h.Send(bottest.Ana, "weather in Atlantis?")
	if n := len(h.Adapter.Cards()); n != 0 || len(h.Adapter.Posts()) != 1 {
		t.Errorf("posts %q", h.Adapter.Texts())
	}
	st := h.Adapter.Statuses()
	if len(st) == 0 || st[len(st)-1].Text != "" {
		t.Errorf("the status was left up: %v", st)
	}
	reqs := model.Requests()
	if msgs := reqs[1].Messages; !strings.Contains(msgs[len(msgs)-1].Content, `unknown city \"Atlantis\"`) {
		t.Errorf("the model read %q", msgs[len(msgs)-1].Content)
	}
}

// On a platform without a status line the card still comes.
func TestWithoutAStatusLineTheCardStillComes(t *testing.T) {
	t.Parallel()
	h := start(t, bottest.NewModel(bottest.Call("forecast", ForecastArgs{City: "Oslo"}), bottest.Reply("Cold.")))
	h.Chat.SetCapabilities(bot.AllCapabilities.Without(bot.CapStatus).Without(bot.CapStreaming))
	h.Send(bottest.Ana, "weather in Oslo?")
	if texts := h.Adapter.Texts(); len(texts) != 2 || !strings.Contains(texts[0], "Forecast for Oslo") {
		t.Errorf("posts %q", texts)
	}
}

func TestOfflineModelSumsTheForecastUp(t *testing.T) {
	t.Parallel()
	m := offlineModel()
	m.WordDelay = 1
	h := start(t, m)
	h.Send(bottest.Ana, "what's the weather in Tokyo?")
	if texts := h.Adapter.Texts(); len(texts) != 2 || !strings.Contains(texts[0], "Forecast for Tokyo") ||
		!strings.Contains(texts[1], "°C in Tokyo over the next 3 days") {
		t.Errorf("posts %q", texts)
	}
}
