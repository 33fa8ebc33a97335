package bottest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

func TestClickErrors(t *testing.T) {
	t.Parallel()
	h := bottest.Start(t, bot.Config{Model: bottest.NewModel()})
	var ref bot.MessageRef
	h.Bot.OnMention(func(ctx context.Context, th *bot.Thread, m bot.Message) error {
		var err error
		ref, err = th.Post(ctx, render.Card{Actions: render.Actions(render.Button("Yes", 1).OnAction("x"), render.LinkButton("Docs", "https://x"))})
		return err
	})
	h.Send(bottest.Ana, "card")
	if err := h.Adapter.Click(bot.MessageRef{ID: "nope"}, "Yes", bottest.Ana); err == nil {
		t.Error("clicked in an unknown message")
	}
	if err := h.Adapter.Click(ref, "Docs", bottest.Ana); err == nil || !strings.Contains(err.Error(), `no action button or option "Docs"`) {
		t.Errorf("clicking a link button: %v", err)
	}
	if err := h.Adapter.Click(ref, "Maybe", bottest.Ana); err == nil {
		t.Error("clicked a button that does not exist")
	}
}

func TestModelScript(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	boom := errors.New("boom")
	m := bottest.NewModel(bottest.Reply("a b"), bottest.Fail(boom))
	var pieces []string
	resp, err := m.Generate(ctx, &bot.ModelRequest{Instructions: "x"}, func(s string) { pieces = append(pieces, s) })
	if err != nil || resp.Text != "a b" || resp.FinishReason != "stop" || strings.Join(pieces, "|") != "a |b" {
		t.Errorf("first step: %+v, %v, pieces %q", resp, err, pieces)
	}
	if _, err := m.Generate(ctx, &bot.ModelRequest{}, nil); !errors.Is(err, boom) {
		t.Errorf("second step: %v", err)
	}
	if _, err := m.Generate(ctx, &bot.ModelRequest{}, nil); !errors.Is(err, bottest.ErrScriptDone) {
		t.Errorf("past the script: %v", err)
	}
	if n := len(m.Requests()); n != 3 || m.Requests()[0].Instructions != "x" {
		t.Errorf("recorded %d requests", n)
	}
	held := bottest.NewModel(bottest.Step{Text: "late", Wait: make(chan struct{})})
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := held.Generate(cctx, &bot.ModelRequest{}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("held step after the deadline: %v", err)
	}
}

func TestCallMarshalsArguments(t *testing.T) {
	t.Parallel()
	if c := bottest.ToolCall("t", map[string]int{"n": 1}); c.Arguments != `{"n":1}` || c.Name != "t" {
		t.Errorf("ToolCall = %+v", c)
	}
	if c := bottest.ToolCall("t", `{"raw"`); c.Arguments != `{"raw"` {
		t.Errorf("raw arguments changed: %+v", c)
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	a := bottest.NewAdapter()
	go func() {
		time.Sleep(5 * time.Millisecond)
		a.Post(context.Background(), bottest.DefaultThread, bot.Outgoing{Content: render.Text("hi")})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.WaitFor(ctx, func(ps []bottest.Posted) bool { return len(ps) == 1 }); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel2()
	if err := a.WaitFor(short, func(ps []bottest.Posted) bool { return len(ps) == 2 }); err == nil {
		t.Error("WaitFor returned without its condition")
	}
}
