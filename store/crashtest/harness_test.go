package crashtest_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/adapters/slack/slackfake"
)

// testTimeout bounds each test's waits: far more than any needs, so that
// a test fails, saying what it waited for, rather than hangs.
const testTimeout = 50 * time.Second

// channel is where the conversations happen.
const channel = "C0CRASH"

// storeSpec names the Store the children of a test open, the same for
// each of them.
type storeSpec struct {
	kind   string // "sqlite" or "postgres"
	db     string // the file, or the server's URL
	schema string
}

// sqliteStore returns a SQLite file of the test's own.
func sqliteStore(t *testing.T) storeSpec {
	return storeSpec{kind: "sqlite", db: filepath.Join(t.TempDir(), "parley.db")}
}

// defaultPostgresURL is the tests' server when PARLEY_TEST_POSTGRES_URL is
// not set.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func postgresURL() string {
	if u := os.Getenv("PARLEY_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return defaultPostgresURL
}

// postgresStore returns a schema of the test's own on the tests' server,
// dropped when the test ends. It skips the test when the server cannot
// be reached, or fails it under CI, where the server must be there.
func postgresStore(t *testing.T) storeSpec {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresURL())
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no PostgreSQL server for the crash tests (CI is set, so they must run; set PARLEY_TEST_POSTGRES_URL): %v", err)
		}
		t.Skipf("no PostgreSQL server for the crash tests; set PARLEY_TEST_POSTGRES_URL (default %s): %v", defaultPostgresURL, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "parley_crash_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, postgresURL())
		if err != nil {
			t.Errorf("dropping the test's schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("dropping the test's schema %s: %v", schema, err)
		}
	})
	return storeSpec{kind: "postgres", db: postgresURL(), schema: schema}
}

// envLogs names a directory where each child's whole log is written, as
// <test>-<child>.log; when it is not set, a failed test shows the tail of
// each.
const envLogs = "PARLEY_CRASHTEST_LOGS"

// child is a bot in a process of its own.
type child struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer
	read   chan struct{} // closed when stdout ends
	url    string        // where Slack's requests go

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed, and replaced, at each line
}

// startChild starts a bot named name on store, talking to the fake f,
// whose model behaves as behavior, with env (VAR=value) added to its
// environment, and waits until it is ready. The
// child is stopped (or, if it hangs, killed) when the test ends.
func startChild(t *testing.T, name string, f *slackfake.Server, store storeSpec, behavior string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	fc := f.Config()
	cmd.Env = append(os.Environ(),
		envRole+"=child",
		envName+"="+name,
		envStore+"="+store.kind,
		envDB+"="+store.db,
		envSchema+"="+store.schema,
		envSlack+"="+f.APIURL(),
		envToken+"="+fc.BotToken,
		envSecret+"="+fc.SigningSecret,
		envBehavior+"="+behavior,
	)
	cmd.Env = append(cmd.Env, env...)
	c := &child{t: t, name: name, cmd: cmd, stderr: &lockedBuffer{}, read: make(chan struct{}), changed: make(chan struct{})}
	cmd.Stderr = c.stderr
	if dir := os.Getenv(envLogs); dir != "" {
		// The whole log, for a look at what a failure's tail leaves out.
		logName := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "-" + name + ".log"
		file, err := os.Create(filepath.Join(dir, logName))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { file.Close() })
		cmd.Stderr = io.MultiWriter(c.stderr, file)
	}
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child %s: %v", name, err)
	}
	go func() {
		defer close(c.read)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("the log of the child %s:\n%s", name, c.stderr.tail(60))
		}
	})
	ready := c.waitLine("to be ready", func(l string) bool { return strings.HasPrefix(l, "ready ") })
	c.url = strings.TrimPrefix(ready, "ready ")
	return c
}

// waitLine waits until the child says a line for which match holds, and
// returns it.
func (c *child) waitLine(what string, match func(string) bool) string {
	c.t.Helper()
	var found string
	c.waitLines(what, func(lines []string) bool {
		for _, l := range lines {
			if match(l) {
				found = l
				return true
			}
		}
		return false
	})
	return found
}

// waitLines waits until cond holds of everything the child said.
func (c *child) waitLines(what string, cond func([]string) bool) {
	c.t.Helper()
	deadline := time.NewTimer(testTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ok, changed := cond(c.lines), c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-c.read:
			c.mu.Lock()
			ok := cond(c.lines)
			c.mu.Unlock()
			if ok {
				return
			}
			c.cmd.Wait()
			c.t.Fatalf("waiting for the child %s %s: it ended (%v); its log:\n%s", c.name, what, c.cmd.ProcessState, c.stderr.tail(60))
		case <-deadline.C:
			c.t.Fatalf("waiting for the child %s %s: nothing after %v; its log:\n%s", c.name, what, testTimeout, c.stderr.tail(60))
		}
	}
}

// said returns every line the child said.
func (c *child) said() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// idle waits until the child's bot has settled.
func (c *child) idle() {
	c.t.Helper()
	n := len(c.said())
	if _, err := io.WriteString(c.stdin, "idle\n"); err != nil {
		c.t.Fatalf("asking the child %s to settle: %v", c.name, err)
	}
	var answer string
	c.waitLines("to settle", func(lines []string) bool {
		for _, l := range lines[n:] {
			if l == "idle" || strings.HasPrefix(l, "idle ") {
				answer = l
				return true
			}
		}
		return false
	})
	if answer != "idle" {
		c.t.Fatalf("the child %s did not settle: %s", c.name, answer)
	}
}

// kill kills the child with SIGKILL and waits until it is gone.
func (c *child) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		c.t.Fatalf("killing the child %s: %v", c.name, err)
	}
	<-c.read
	c.cmd.Wait()
}

// stop ends the child's stdin, which stops its bot gracefully, and waits
// for it to exit; a child that does not within ten seconds is killed.
// It reports how the bot stopped.
func (c *child) stop() string {
	c.stdin.Close()
	select {
	case <-c.read:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.read
	}
	c.cmd.Wait()
	for _, l := range c.said() {
		if strings.HasPrefix(l, "stopped") {
			return l
		}
	}
	return fmt.Sprintf("no word (%v)", c.cmd.ProcessState)
}

// count returns how many times the child said line.
func (c *child) count(line string) int {
	n := 0
	for _, l := range c.said() {
		if l == line {
			n++
		}
	}
	return n
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n lines written.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… %d lines before", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// count returns how many times s occurs in what was written.
func (b *lockedBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

// waitLog waits until the child's log holds msg at least n times.
func (c *child) waitLog(msg string, n int) {
	c.t.Helper()
	for deadline := time.Now().Add(testTimeout); c.stderr.count(msg) < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.t.Fatalf("waiting for the child %s to log %q %d times; its log:\n%s", c.name, msg, n, c.stderr.tail(60))
		}
	}
}

// newFake starts a fake Slack, closed when the test ends (after the
// children, whose cleanups were registered later).
func newFake(t *testing.T) *slackfake.Server {
	t.Helper()
	f := slackfake.New(slackfake.Config{AckTimeout: 10 * time.Second})
	t.Cleanup(f.Close)
	return f
}

// testCtx returns a context that ends after testTimeout or with the test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// sendAll sends the events to the child at url, a few at a time, as Slack
// does, and fails the test unless each is answered 200.
func sendAll(t *testing.T, f *slackfake.Server, url string, evs []slackfake.Event) {
	t.Helper()
	ctx := testCtx(t)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	for _, ev := range evs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r, err := f.SendURL(ctx, url, ev)
			if err == nil && r.Status != http.StatusOK {
				err = fmt.Errorf("status %d", r.Status)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("sending the %s event %s: %v", ev.Type, ev.ID, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		t.Error(e)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
}

// waitThreads waits until cond holds of every conversation's thread on
// f, failing the test with what otherwise, and with what the threads
// that fall short show.
func waitThreads(t *testing.T, f *slackfake.Server, convs []conversation, what string, cond func(i int, c conversation) bool) {
	t.Helper()
	all := func() bool {
		for i, c := range convs {
			if !cond(i, c) {
				return false
			}
		}
		return true
	}
	if err := f.WaitFor(testCtx(t), all); err != nil {
		var short []string
		for i, c := range convs {
			if !cond(i, c) {
				short = append(short, fmt.Sprintf("%s shows:\n%s", c.name, shown(f, c.thread)))
			}
		}
		t.Fatalf("waiting for %s: %v; %d of %d threads fall short:\n%s", what, err, len(short), len(convs), strings.Join(short, "\n"))
	}
}

// botMessages returns the bot's messages in the thread, oldest first.
func botMessages(f *slackfake.Server, thread string) []slackfake.Msg {
	var out []slackfake.Msg
	for _, m := range f.Messages(channel, thread) {
		if m.FromBot() {
			out = append(out, m)
		}
	}
	return out
}

// openCards returns the bot's messages in the thread that show something
// to click.
func openCards(f *slackfake.Server, thread string) []slackfake.Msg {
	var out []slackfake.Msg
	for _, m := range botMessages(f, thread) {
		if len(m.Options()) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// posts counts, by thread, the successful calls that put a new message of
// the bot into the channel: chat.postMessage and chat.startStream.
func posts(f *slackfake.Server) map[string]int {
	n := map[string]int{}
	for _, c := range f.Calls("chat.postMessage", "chat.startStream") {
		if c.OK() && c.Params.Get("channel") == channel {
			n[c.Params.Get("thread_ts")]++
		}
	}
	return n
}

// shown returns what the bot's messages in the thread read, a message a
// line.
func shown(f *slackfake.Server, thread string) string {
	var lines []string
	for _, m := range botMessages(f, thread) {
		lines = append(lines, fmt.Sprintf("%q (edits %d, options %q, streaming %v)", m.PlainText(), m.Edits, m.Options(), m.Streaming))
	}
	return strings.Join(lines, "\n")
}

// conversation is one thread of a test: a person's mention of the bot,
// and the thread it began.
type conversation struct {
	name   string // conv-NNN, which the child's model keys on
	thread string // the mention's ts
}

// cardsWaiting sends n mentions to c, whose bot answers each with a card
// to approve, and returns their conversations once every thread shows its
// card.
func cardsWaiting(t *testing.T, f *slackfake.Server, c *child, n int) []conversation {
	t.Helper()
	convs, mentions := mention(f, n)
	sendAll(t, f, c.url, mentions)
	waitThreads(t, f, convs, "a card in every thread", func(_ int, cv conversation) bool { return len(openCards(f, cv.thread)) > 0 })
	return convs
}

// mention makes n people's mentions of the bot, each beginning a thread,
// and returns the conversations and the app_mention events Slack sends.
func mention(f *slackfake.Server, n int) ([]conversation, []slackfake.Event) {
	var convs []conversation
	var evs []slackfake.Event
	for i := range n {
		name := fmt.Sprintf("conv-%03d", i)
		ev, _ := f.Mention(slackfake.Ana, channel, "please write "+name, "")
		convs = append(convs, conversation{name: name, thread: ev.TS})
		evs = append(evs, ev)
	}
	return convs, evs
}
