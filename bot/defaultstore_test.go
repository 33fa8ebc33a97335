package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/bottest"
	"github.com/parleybot/parley/render"
)

// These tests set PARLEY_DB, so they do not run in parallel.

// With Config.Store nil, the bot keeps its state in the SQLite file
// PARLEY_DB names: an approval asked before a restart is decided after it,
// by a new bot given no Store either.
func TestDefaultStoreKeepsAnApprovalAcrossARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	t.Setenv("PARLEY_DB", path)
	a := bottest.NewAdapter()
	tools := func() []*bot.Tool {
		return []*bot.Tool{bot.DefineTool(bot.ToolSpec[askArgs]{
			Name: "ask", Description: "asks",
			Handler: func(ctx context.Context, args askArgs, tc *bot.ToolContext) (any, error) {
				c, err := bot.AwaitChoice[verdict](ctx, tc.Thread, render.Card{
					Title:   args.What + "?",
					Actions: render.Actions(render.Button("Approve", verdict{true}), render.Button("Deny", verdict{false})),
				}, bot.Approvers(bottest.Ana.ID))
				if err != nil {
					return nil, err
				}
				return map[string]any{"approved": c.Value.Approved}, nil
			},
		})}
	}
	b1 := startBot(t, bot.Config{Model: bottest.NewModel(bottest.Call("ask", askArgs{What: "Deploy"})), Tools: tools()}, a, nil)
	a.Send(bottest.Ana, "deploy")
	p := card(t, a, 0)
	stop(t, b1, a)
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("no database at PARLEY_DB=%s after the first bot: %v", path, err)
	}

	model2 := bottest.NewModel(bottest.Reply("Deployed."))
	b2 := startBot(t, bot.Config{Model: model2, Tools: tools()}, a, nil)
	if err := a.ClickID(p.Ref, idOf(p, "Approve"), bottest.Ana); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, b2)
	texts := a.Texts()
	if len(texts) == 0 || texts[len(texts)-1] != "Deployed." {
		t.Fatalf("after the restart the run did not finish; thread: %q", texts)
	}
	if reqs := model2.Requests(); len(reqs) != 1 {
		t.Errorf("the resumed run made %d model requests, want 1", len(reqs))
	}
}

// A default store that cannot open fails New with an error that says
// where the bot looked and why.
func TestDefaultStoreThatCannotOpenFailsNew(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"missing directory", filepath.Join(dir, "nope", "parley.db"), filepath.Join(dir, "nope")},
		{"not a database", notDB, notDB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PARLEY_DB", tc.path)
			_, err := bot.New(bot.Config{Model: bottest.NewModel(), Adapters: []bot.Adapter{bottest.NewAdapter()}})
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, want := range []string{"PARLEY_DB", tc.want} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

// Without PARLEY_DB the file is parley.db in the working directory.
func TestDefaultStoreIsParleyDBInTheWorkingDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("PARLEY_DB", "")
	b, err := bot.New(bot.Config{Model: bottest.NewModel(), Adapters: []bot.Adapter{bottest.NewAdapter()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bot.DefaultDB); err != nil {
		t.Fatalf("no %s in the working directory: %v", bot.DefaultDB, err)
	}
}
