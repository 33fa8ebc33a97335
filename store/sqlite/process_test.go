package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/store/sqlite"
)

// The tests here share a file between this process and others: the test
// binary run again, told by the environment to play a child's role. A
// child speaks in lines: commands on its stdin, what it did on its
// stdout.
const (
	childRole = "PARLEY_SQLITE_TEST_CHILD"
	childPath = "PARLEY_SQLITE_TEST_PATH"
	childN    = "PARLEY_SQLITE_TEST_N"
)

// runChild plays role and returns the process's exit code.
func runChild(role string) int {
	ctx := context.Background()
	n, _ := strconv.Atoi(os.Getenv(childN))
	s, err := sqlite.Open(ctx, os.Getenv(childPath), sqlite.Options{PollInterval: fastPoll})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	var outMu sync.Mutex
	say := func(a ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Println(a...)
	}
	in := bufio.NewScanner(os.Stdin)
	switch role {
	case "open":
		say("ok")
	case "notes":
		if err := s.Subscribe(ctx, func(note string) { say("got", note) }); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		say("ready")
		for in.Scan() {
			note, ok := strings.CutPrefix(in.Text(), "publish ")
			if !ok {
				continue
			}
			if err := s.Publish(ctx, note); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			say("published", note)
		}
	case "resolve":
		say("ready")
		in.Scan() // go
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				id := fmt.Sprint("ch-", i)
				c, won, err := s.Resolve(ctx, id, bot.Outcome{State: bot.ChoiceDecided, Value: json.RawMessage(`"child"`), User: bot.User{ID: "child"}, At: time.Now()})
				if err != nil {
					say("error", id, err)
					return
				}
				say("result", id, won, c.Outcome.User.ID)
			})
		}
		wg.Wait()
		say("done")
	case "accept":
		say("ready")
		for i := 0; ; i++ {
			if _, err := s.Accept(ctx, acceptance(i)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			say("accepted", i)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown role", role)
		return 2
	}
	return 0
}

// child is another process sharing a file with the test.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *bytes.Buffer
}

// startChild runs the test binary again as a child playing role on the
// file at path.
func startChild(t *testing.T, role, path string, n int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childRole+"="+role, childPath+"="+path, fmt.Sprint(childN, "=", n))
	c := &child{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &bytes.Buffer{}}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		c.stdin.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		cmd.Wait()
	})
	return c
}

// next returns the child's next line, failing the test when it ends or
// is silent too long.
func (c *child) next() string {
	c.t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			c.cmd.Wait()
			c.t.Fatalf("the child ended (%v); its stderr: %s", c.cmd.ProcessState, c.stderr)
		}
		return line
	case <-time.After(20 * time.Second):
		c.t.Fatal("the child said nothing for 20 s")
		return ""
	}
}

// expect reads the child's lines up to one that is want, and returns
// those before it.
func (c *child) expect(want string) []string {
	c.t.Helper()
	var before []string
	for line := c.next(); line != want; line = c.next() {
		before = append(before, line)
	}
	return before
}

func (c *child) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.t.Fatalf("writing to the child: %v", err)
	}
}

func TestProcessesOpenAtOnce(t *testing.T) {
	t.Parallel()
	path := dbPath(t)
	var children []*child
	for range 4 {
		children = append(children, startChild(t, "open", path, 0))
	}
	open(t, path)
	for _, c := range children {
		c.expect("ok")
	}
	if got, want := schemaVersions(t, path), versionsUpTo(sqlite.SchemaVersion); !slices.Equal(got, want) {
		t.Errorf("after five processes opened a new file at once, schema_version holds %v, want %v", got, want)
	}
}

// TestProcessesResolveOneWins races this process and another to resolve
// the same choices: of each, exactly one wins, and both see its outcome.
func TestProcessesResolveOneWins(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := dbPath(t)
	s := open(t, path)
	const n = 40
	for i := range n {
		id := fmt.Sprint("ch-", i)
		c := bot.ChoiceRecord{ID: id, Run: "run-1", Created: time.Now(), Options: []bot.OptionRecord{{ID: id + "/yes", Label: "Yes", Value: json.RawMessage(`true`)}}}
		if err := s.PutChoice(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	c := startChild(t, "resolve", path, n)
	c.expect("ready")
	c.send("go")
	type result struct {
		won    bool
		winner string
	}
	mine := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got, won, err := s.Resolve(ctx, fmt.Sprint("ch-", i), bot.Outcome{State: bot.ChoiceDecided, Value: json.RawMessage(`"parent"`), User: bot.User{ID: "parent"}, At: time.Now()})
			if err != nil {
				t.Errorf("Resolve: %v", err)
			}
			mine[i] = result{won, got.Outcome.User.ID}
		})
	}
	theirs := map[string]result{}
	for _, line := range c.expect("done") {
		var r result
		var id string
		if _, err := fmt.Sscan(line, new(string), &id, &r.won, &r.winner); err != nil || !strings.HasPrefix(line, "result ") {
			t.Fatalf("the child said %q", line)
		}
		theirs[id] = r
	}
	wg.Wait()
	wins := map[string]int{}
	for i := range n {
		id := fmt.Sprint("ch-", i)
		m, o := mine[i], theirs[id]
		winner := map[bool]string{true: "parent", false: "child"}[m.won]
		switch {
		case m.won == o.won:
			t.Errorf("%s: this process won: %v, the other won: %v; want exactly one", id, m.won, o.won)
		case m.winner != winner || o.winner != winner:
			t.Errorf("%s: this process sees %s won, the other %s; want both to see %s", id, m.winner, o.winner, winner)
		}
		wins[winner]++
		if got, err := s.Choice(ctx, id); err != nil || got.Outcome.User.ID != winner {
			t.Errorf("%s: Choice = %+v, %v; want %s's outcome", id, got.Outcome, err, winner)
		}
	}
	t.Logf("wins: %v", wins)
}

// TestProcessesShareNotes checks that notes cross between processes, each
// received once, in the order its process published them.
func TestProcessesShareNotes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := dbPath(t)
	s := open(t, path)
	c := startChild(t, "notes", path, 0)
	c.expect("ready")
	var mine received
	if err := s.Subscribe(ctx, mine.receive); err != nil {
		t.Fatal(err)
	}
	var fromChild, fromParent []string
	for i := range 20 {
		fromChild = append(fromChild, fmt.Sprint("c", i))
		fromParent = append(fromParent, fmt.Sprint("p", i))
	}
	fromChild = append(fromChild, "end-c")
	fromParent = append(fromParent, "end-p")
	for _, note := range fromChild {
		c.send("publish " + note)
	}
	var childGot []string
	for _, line := range c.expect("published end-c") {
		if note, ok := strings.CutPrefix(line, "got "); ok {
			childGot = append(childGot, note)
		}
	}
	for _, note := range fromParent {
		if err := s.Publish(ctx, note); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range c.expect("got end-p") {
		if note, ok := strings.CutPrefix(line, "got "); ok {
			childGot = append(childGot, note)
		}
	}
	childGot = append(childGot, "end-p")
	// The child's note, published after it received all of ours, is the
	// last in the file: once this process received it, its poller read
	// every note before.
	c.send("publish fin")
	c.expect("got fin")
	parentGot := mine.until("fin")

	for _, tc := range []struct {
		who string
		got []string
	}{{"the child", childGot}, {"this process", parentGot}} {
		got := slices.DeleteFunc(slices.Clone(tc.got), func(n string) bool { return n == "fin" })
		byChild := slices.DeleteFunc(slices.Clone(got), func(n string) bool { return !slices.Contains(fromChild, n) })
		byParent := slices.DeleteFunc(slices.Clone(got), func(n string) bool { return !slices.Contains(fromParent, n) })
		if !slices.Equal(byChild, fromChild) || !slices.Equal(byParent, fromParent) || len(got) != len(fromChild)+len(fromParent) {
			t.Errorf("%s received %q, want each note of both processes once, in the order published", tc.who, tc.got)
		}
	}
}

// acceptance is the i-th event the "accept" child accepts.
func acceptance(i int) bot.Acceptance {
	m := bot.Message{ID: fmt.Sprint("m", i), EventID: fmt.Sprint("ev-", i), Text: fmt.Sprint("message ", i)}
	return bot.Acceptance{
		Dedupe: m.EventID, DedupeUntil: time.Now().Add(time.Hour),
		Record: &m, Thread: "th-1",
		Item: bot.WorkItem{ID: fmt.Sprint("i", i), Lane: fmt.Sprint("lane-", i%4), Kind: bot.WorkMessage, Message: m},
	}
}

// TestKilledProcessLosesNothing kills a process with SIGKILL while it
// accepts events: every event it was told was accepted is in the file,
// and every event in the file is whole — its dedupe key, its transcript
// entry and its queued item, or none of them.
func TestKilledProcessLosesNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := dbPath(t)
	c := startChild(t, "accept", path, 0)
	c.expect("ready")
	c.expect("accepted 30")
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	told := 30
	for line := range c.lines {
		if _, err := fmt.Sscanf(line, "accepted %d", &told); err != nil {
			t.Fatalf("the child said %q", line)
		}
	}
	c.cmd.Wait()

	s := open(t, path)
	items := map[string]bool{}
	for lane := range 4 {
		cl, err := s.Claim(ctx, fmt.Sprint("lane-", lane), "o1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range cl.Items {
			items[it.ID] = true
		}
	}
	msgs := map[string]bool{}
	transcript, err := s.Transcript(ctx, "th-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range transcript {
		msgs[m.ID] = true
	}
	for i := 0; i <= told+1; i++ {
		item, msg := items[fmt.Sprint("i", i)], msgs[fmt.Sprint("m", i)]
		_, err := s.Accept(ctx, bot.Acceptance{Dedupe: fmt.Sprint("ev-", i), DedupeUntil: time.Now().Add(time.Hour)})
		seen := errors.Is(err, bot.ErrDuplicate)
		if i <= told && !(item && msg && seen) {
			t.Errorf("event %d, told accepted: item queued %v, message recorded %v, dedupe key set %v; want all", i, item, msg, seen)
		}
		if item != msg || msg != seen {
			t.Errorf("event %d in part: item queued %v, message recorded %v, dedupe key set %v", i, item, msg, seen)
		}
	}
	if len(items) < told+1 || len(items) > told+2 {
		t.Errorf("%d items queued, want the %d told accepted and at most the one in flight", len(items), told+1)
	}
}
