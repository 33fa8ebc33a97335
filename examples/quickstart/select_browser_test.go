package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/parleybot/parley/adapters/web"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
)

// choices records the actions the page hands the bot.
type choices struct {
	got chan string
}

func (c *choices) Message(context.Context, bot.Message) error    { return nil }
func (c *choices) Edited(context.Context, bot.Message) error     { return nil }
func (c *choices) Deleted(context.Context, bot.MessageRef) error { return nil }
func (c *choices) Action(_ context.Context, a bot.Action) error {
	c.got <- a.ID
	return nil
}

// TestASelectsFirstOptionCanBePicked opens a page of its own with a
// select that has no placeholder, and picks its first option from the
// keyboard, as a person does: the browser shows a choice as chosen
// before any is picked, so the page must start on a placeholder, or the
// first choice would fire no change and never reach the bot.
func TestASelectsFirstOptionCanBePicked(t *testing.T) {
	b := openBrowser(t)
	a, err := web.New(web.Config{Addr: "127.0.0.1:0", Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	in := &choices{got: make(chan string, 4)}
	if err := a.Start(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	yes, no := render.Opt("Yes", 1), render.Opt("No", 0)
	if _, err := a.Post(t.Context(), web.Address("pick"), bot.Outgoing{Content: render.Select("", yes, no), IDs: render.IDs{yes: "act-yes", no: "act-no"}}); err != nil {
		t.Fatal(err)
	}
	b.do("opening the select", chromedp.Navigate(a.URL()+"#pick"), chromedp.WaitVisible(chromedp.CSS("select[data-select]")))
	b.do("picking the first option",
		chromedp.Focus(chromedp.CSS("select[data-select]")),
		chromedp.KeyEvent(kb.ArrowDown),
	)
	select {
	case got := <-in.got:
		if got != "act-yes" {
			t.Errorf("the first option picked from the keyboard sent %q; want act-yes", got)
		}
	case <-time.After(15 * time.Second):
		b.shot("no-choice")
		t.Fatal("no choice reached the bot within 15 s")
	}
}
