package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
)

func start(t *testing.T, model bot.Model) *bottest.Harness {
	t.Helper()
	cfg := config()
	cfg.Model = model
	return bottest.Start(t, cfg)
}

func TestTheModelRendersAnIssueCard(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("show_issue", Issue{
			Title: "Login button does nothing on Safari", Severity: "high", Component: "login",
			Steps:    []string{"Open the site in Safari 17", "Click Log in"},
			Expected: "the login form opens", Actual: "nothing happens", Labels: []string{"bug", "safari"},
		}),
		bottest.Reply("Drafted. Does it happen in private windows too?"),
	)
	h := start(t, model)
	h.Send(bottest.Ana, "login is broken on safari, clicking the button does nothing")

	posts := h.Adapter.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts %q", h.Adapter.Texts())
	}
	text := posts[0].Text()
	for _, want := range []string{"Login button does nothing on Safari", "Severity", "high", "Component", "login",
		"Labels", "bug, safari", "Steps to reproduce", "1. Open the site in Safari 17", "2. Click Log in",
		"Expected", "the login form opens", "Actual", "nothing happens", "Draft issue"} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %q:\n%s", want, text)
		}
	}

	// The props struct is the tool's schema, severities included.
	reqs := model.Requests()
	schema := string(reqs[0].Tools[0].Parameters)
	for _, want := range []string{`"title"`, `"steps"`, `"enum":["low","medium","high","critical"]`, "steps to reproduce, one per item"} {
		if !strings.Contains(schema, want) {
			t.Errorf("show_issue's schema lacks %s: %s", want, schema)
		}
	}
	var shown struct {
		Shown bool `json:"shown"`
	}
	result := reqs[1].Messages[len(reqs[1].Messages)-1].Content
	if json.Unmarshal([]byte(result), &shown); !shown.Shown {
		t.Errorf("the model read %q", result)
	}
}

// Props outside the schema go back to the model, which repairs them; only
// the repaired card is shown.
func TestBadPropsGoBackToTheModel(t *testing.T) {
	t.Parallel()
	model := bottest.NewModel(
		bottest.Call("show_issue", map[string]any{"title": "Search is slow", "severity": "urgent"}),
		bottest.Call("show_issue", Issue{Title: "Search is slow", Severity: "medium"}),
		bottest.Reply("Drafted."),
	)
	h := start(t, model)
	h.Send(bottest.Ana, "search is slow")
	reqs := model.Requests()
	if msg := reqs[1].Messages[len(reqs[1].Messages)-1].Content; !strings.Contains(msg, "invalid arguments") || !strings.Contains(msg, "severity") {
		t.Errorf("the model read %q", msg)
	}
	if texts := h.Adapter.Texts(); len(texts) != 2 || !strings.Contains(texts[0], "Search is slow") || !strings.Contains(texts[0], "medium") {
		t.Errorf("posts %q", texts)
	}
}

func TestOfflineModelDraftsAnIssue(t *testing.T) {
	t.Parallel()
	m := offlineModel()
	m.WordDelay = 1
	h := start(t, m)
	h.Send(bottest.Ana, "the checkout page crashes when I apply a coupon")
	texts := h.Adapter.Texts()
	if len(texts) != 2 || !strings.Contains(texts[0], "the checkout page crashes when I apply a coupon") ||
		!strings.Contains(texts[0], "high") || !strings.Contains(texts[0], "checkout") || !strings.Contains(texts[1], "drafted the issue") {
		t.Errorf("posts %q", texts)
	}
}
