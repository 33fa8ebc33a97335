package crashtest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/adapters/slack"
	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/store/postgres"
	"github.com/parleybot/parley/store/sqlite"
)

// The child: this test binary run again as a bot, told by its environment
// which Store to open, where Slack is, and how its model behaves. It
// speaks in lines on stdout:
//
//	ready <url>           the bot started; Slack's requests go to url
//	model <conv> <turn>   the model was asked the turn-th time in a run
//	hold <conv>           the model is thinking, and will until killed
//	idle | idle <error>   answer to the command "idle" on stdin
//	                      (the command "release" frees behaveRelease's model)
//	stopped | stopped <error>
//
// It reads commands on stdin: "idle" waits until the bot settles; the end
// of stdin stops the bot gracefully and ends the process.
const (
	envRole     = "PARLEY_CRASHTEST_ROLE"     // "child" in a child
	envName     = "PARLEY_CRASHTEST_NAME"     // the child's replica id
	envStore    = "PARLEY_CRASHTEST_STORE"    // "sqlite" or "postgres"
	envDB       = "PARLEY_CRASHTEST_DB"       // the SQLite file, or the PostgreSQL URL
	envSchema   = "PARLEY_CRASHTEST_SCHEMA"   // the PostgreSQL schema
	envSlack    = "PARLEY_CRASHTEST_SLACK"    // the fake's Web API URL
	envToken    = "PARLEY_CRASHTEST_TOKEN"    // the bot token the fake accepts
	envSecret   = "PARLEY_CRASHTEST_SECRET"   // the secret the fake signs with
	envBehavior = "PARLEY_CRASHTEST_BEHAVIOR" // behaveApprove or behaveHold
	envLease    = "PARLEY_CRASHTEST_LEASE"    // LeaseTTL, when not childLeaseTTL
	envGrace    = "PARLEY_CRASHTEST_GRACE"    // how long the graceful stop waits, when not ten seconds
)

// The model's behaviours.
const (
	// behaveApprove asks for approval with the tool on a run's first turn
	// and answers "done <conv>: <the tool's result>" on the next.
	behaveApprove = "approve"
	// behaveHold thinks until the process dies: for an even conversation
	// after streaming part of an answer, for an odd one before any.
	behaveHold = "hold"
	// behaveQueue thinks until the process stops when the last message
	// asks it to hold, and otherwise answers "answer to <the last
	// message>".
	behaveQueue = "queue"
	// behaveRelease thinks, heedless of its context — as when the whole
	// response was already on its way when the process froze — until the
	// child reads "release" on stdin, then answers "done <conv>".
	behaveRelease = "release"
)

// release is closed when the child reads "release" on stdin.
var release = make(chan struct{})

// Timings of the child's bot: leases lapse at most five seconds after a
// kill, and the sweep that takes lapsed work over comes every tenth of a
// second.
//
// A shorter lease costs more than it saves. Each lane held renews its
// lease every third of LeaseTTL, one write each, and a lane not renewed
// for two thirds of it is given up (see bot.Config.LeaseTTL). A hundred
// conversations begun at once are a burst of writes besides: SQLite, every
// commit synced, under the race detector on a two-CPU machine, manages
// about 400 renewals a second, and with a lease of one second (and even of
// three) the bot fell behind, lost its own leases and ended its own runs
// as interrupted, with no crash at all.
const (
	childLeaseTTL      = 5 * time.Second
	childSweepInterval = 100 * time.Millisecond
)

func TestMain(m *testing.M) {
	if os.Getenv(envRole) == "child" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

// out writes the child's lines, one whole line a write.
var out struct {
	sync.Mutex
	w *bufio.Writer
}

func say(format string, a ...any) {
	out.Lock()
	defer out.Unlock()
	fmt.Fprintf(out.w, format+"\n", a...)
	out.w.Flush()
}

// childMain runs the bot until stdin ends, and returns the exit code.
func childMain() int {
	out.w = bufio.NewWriter(os.Stdout)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fail := func(what string, err error) int {
		logger.Error("crashtest child: "+what, "err", err)
		return 1
	}
	ctx := context.Background()

	var store bot.Store
	switch kind := os.Getenv(envStore); kind {
	case "sqlite":
		s, err := sqlite.Open(ctx, os.Getenv(envDB), sqlite.Options{})
		if err != nil {
			return fail("opening the SQLite store", err)
		}
		defer s.Close()
		store = s
	case "postgres":
		s, err := postgres.Open(ctx, os.Getenv(envDB), postgres.Options{Schema: os.Getenv(envSchema), MaxConns: 8})
		if err != nil {
			return fail("opening the PostgreSQL store", err)
		}
		defer s.Close()
		store = s
	default:
		return fail("choosing the store", fmt.Errorf("unknown store %q", kind))
	}

	a, err := slack.New(slack.Config{
		BotToken:      os.Getenv(envToken),
		SigningSecret: os.Getenv(envSecret),
		APIURL:        os.Getenv(envSlack),
		Env:           func(string) string { return "" },
		PostInterval:  time.Millisecond,
		Logger:        logger,
	})
	if err != nil {
		return fail("creating the Slack adapter", err)
	}
	lease := childLeaseTTL
	if v := os.Getenv(envLease); v != "" {
		if lease, err = time.ParseDuration(v); err != nil {
			return fail("reading the lease", err)
		}
	}
	b, err := bot.New(bot.Config{
		Model:         &childModel{behavior: os.Getenv(envBehavior)},
		Adapters:      []bot.Adapter{a},
		Tools:         []*bot.Tool{approvalTool},
		Store:         store,
		Logger:        logger,
		LeaseTTL:      lease,
		SweepInterval: childSweepInterval,
		ReplicaID:     os.Getenv(envName),
	})
	if err != nil {
		return fail("creating the bot", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail("listening", err)
	}
	srv := &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	if err := b.Start(ctx); err != nil {
		return fail("starting the bot", err)
	}
	say("ready http://%s/", ln.Addr())

	in := bufio.NewScanner(os.Stdin)
	released := false
	for in.Scan() {
		if in.Text() == "release" && !released {
			released = true
			close(release)
		}
		if in.Text() != "idle" {
			continue
		}
		wait, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := b.Idle(wait); err != nil {
			say("idle %v", err)
		} else {
			say("idle")
		}
		cancel()
	}
	grace := 10 * time.Second
	if v := os.Getenv(envGrace); v != "" {
		if grace, err = time.ParseDuration(v); err != nil {
			return fail("reading the grace", err)
		}
	}
	stop, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if err := b.Stop(stop); err != nil {
		say("stopped %v", err)
		return 1
	}
	say("stopped")
	return 0
}

// writeArgs are the approval tool's arguments.
type writeArgs struct {
	Action string `json:"action"`
}

// approvalTool asks the person who asked to approve a write, with Approve
// and Deny buttons, and returns the value of the one clicked.
var approvalTool = bot.DefineTool(bot.ToolSpec[writeArgs]{
	Name:        "confirm_write",
	Description: "Ask for approval before a write.",
	Handler: func(ctx context.Context, args writeArgs, tc *bot.ToolContext) (any, error) {
		choice, err := bot.AwaitChoice[string](ctx, tc.Thread, render.Card{
			Title: "Approve write?",
			Body:  []render.Node{render.Text(args.Action)},
			Actions: render.Actions(
				render.Button("Approve", "approved").Primary(),
				render.Button("Deny", "denied").Danger(),
			),
		}, bot.Approvers(tc.User.ID))
		if err != nil {
			return nil, err
		}
		return choice.Value, nil
	},
})

// convPattern finds the conversation's name in what a person wrote.
var convPattern = regexp.MustCompile(`conv-\d+`)

// childModel answers by a fixed rule, keyed by the conversation named in
// the request's user messages, so that its answers are the same in every
// process and a replay finds what it recorded.
type childModel struct {
	behavior string
}

// Generate implements bot.Model.
func (m *childModel) Generate(ctx context.Context, req *bot.ModelRequest, onText func(string)) (*bot.ModelResponse, error) {
	conv, turn, result, last := "", 1, "", ""
	for _, msg := range req.Messages {
		switch msg.Role {
		case bot.RoleUser:
			if c := convPattern.FindString(msg.Content); c != "" {
				conv = c
			}
			last = msg.Content
		case bot.RoleTool:
			turn++
			result = msg.Content
		}
	}
	if conv == "" {
		return nil, errors.New("crashtest: no conversation named in the request")
	}
	say("model %s %d", conv, turn)
	switch {
	case m.behavior == behaveQueue && strings.Contains(last, "hold"):
		say("hold %s", conv)
		<-ctx.Done()
		return nil, ctx.Err()
	case m.behavior == behaveQueue:
		if i := strings.LastIndex(last, ">"); i >= 0 {
			last = last[i+1:]
		}
		text := "answer to " + strings.TrimSpace(last)
		return &bot.ModelResponse{Text: text, FinishReason: "stop"}, nil
	case m.behavior == behaveRelease:
		<-release
		text := "done " + conv
		if onText != nil {
			onText(text)
		}
		return &bot.ModelResponse{Text: text, FinishReason: "stop"}, nil
	case m.behavior == behaveHold:
		var n int
		fmt.Sscanf(conv, "conv-%d", &n)
		if n%2 == 0 && onText != nil {
			onText("Working on " + conv + "…")
		}
		say("hold %s", conv)
		<-ctx.Done()
		return nil, ctx.Err()
	case turn == 1:
		args, _ := json.Marshal(writeArgs{Action: "write " + conv})
		return &bot.ModelResponse{
			ToolCalls:    []bot.ToolCall{{ID: "call-" + conv, Name: "confirm_write", Arguments: string(args)}},
			FinishReason: "tool_calls",
		}, nil
	default:
		text := fmt.Sprintf("done %s: %s", conv, result)
		if onText != nil {
			onText(text)
		}
		return &bot.ModelResponse{Text: text, FinishReason: "stop"}, nil
	}
}
