package terminal

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/plaintext"
)

// Platform is the platform name of the terminal adapter.
const Platform = "terminal"

// Address is the one conversation a terminal has.
var Address = bot.Address{Platform: Platform, Channel: "tty"}

// Config configures the terminal adapter.
type Config struct {
	// In is read line by line. Default os.Stdin.
	In io.Reader
	// Out receives what the bot posts. Default os.Stdout.
	Out io.Writer
	// User is the person typing. Default: ID "you", Name $USER or "you".
	User bot.User
	// BotName prefixes the bot's messages. Default "bot".
	BotName string
	// FileDir is where uploaded files are written. Default: a new
	// directory under os.TempDir().
	FileDir string
	// ShowIDs prints each message's id after the bot's name ("bot [b3]:"),
	// so that a reader — a test, or a person debugging an adapter — can
	// tell which message an edit replaces. Default false.
	ShowIDs bool
}

// Adapter is the terminal adapter. Create it with [New].
type Adapter struct {
	cfg Config

	// session prefixes every id the adapter makes, so that the ids of
	// one run of the program never repeat those of another in a Store
	// that outlives it (where a repeated event id is a duplicate).
	session string

	mu      sync.Mutex
	started bool
	seq     int
	choices []string // action ids of the latest message with buttons
	choiceM string   // that message's id
	log     []bot.Message
	done    chan struct{}
}

// maxLog bounds the conversation the adapter remembers for history.
const maxLog = 500

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.Streamer        = (*Adapter)(nil)
	_ bot.StatusSetter    = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
	_ bot.FileUploader    = (*Adapter)(nil)
	_ bot.EphemeralPoster = (*Adapter)(nil)
	_ bot.UserLooker      = (*Adapter)(nil)
	_ bot.HistoryReader   = (*Adapter)(nil)
)

// New returns a terminal adapter.
func New(cfg Config) *Adapter {
	if cfg.In == nil {
		cfg.In = os.Stdin
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.User.ID == "" {
		cfg.User.ID = "you"
	}
	if cfg.User.Name == "" {
		cfg.User.Name = os.Getenv("USER")
		if cfg.User.Name == "" {
			cfg.User.Name = "you"
		}
	}
	if cfg.BotName == "" {
		cfg.BotName = "bot"
	}
	return &Adapter{cfg: cfg, session: rand.Text()[:8], done: make(chan struct{})}
}

// Platform implements bot.Adapter.
func (a *Adapter) Platform() string { return Platform }

// Done is closed when the input ends (end of file, or Ctrl-D).
func (a *Adapter) Done() <-chan struct{} { return a.done }

// Start implements bot.Adapter: it reads lines until the input ends or ctx
// does.
func (a *Adapter) Start(ctx context.Context, in bot.Inbox) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return errors.New("terminal: adapter already started")
	}
	a.started = true
	go a.read(ctx, in)
	return nil
}

func (a *Adapter) read(ctx context.Context, in bot.Inbox) {
	defer close(a.done)
	sc := bufio.NewScanner(a.cfg.In)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			return
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if n, err := strconv.Atoi(line); err == nil {
			if id, ref, ok := a.choice(n); ok {
				a.mu.Lock()
				ev := a.idLocked("c")
				a.mu.Unlock()
				if err := in.Action(ctx, bot.Action{ID: id, EventID: ev, User: a.cfg.User, Message: ref}); err != nil {
					a.printf("  · (not taken: %v)\n", err)
				}
				continue
			}
		}
		a.mu.Lock()
		m := bot.Message{
			ID: a.idLocked("u"), Address: Address, User: a.cfg.User, Text: line,
			Time: time.Now(), Mention: true, Direct: true,
		}
		m.EventID = m.ID
		a.remember(m)
		a.mu.Unlock()
		if err := in.Message(ctx, m); err != nil {
			a.printf("  · (not taken: %v)\n", err)
		}
	}
	if err := sc.Err(); err != nil {
		a.printf("terminal: reading input: %v\n", err)
	}
}

// choice returns the action id of button n of the latest message with
// buttons.
func (a *Adapter) choice(n int) (string, bot.MessageRef, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n < 1 || n > len(a.choices) {
		return "", bot.MessageRef{}, false
	}
	return a.choices[n-1], bot.MessageRef{Address: Address, ID: a.choiceM}, true
}

func (a *Adapter) printf(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.cfg.Out, format, args...)
}

// show prints a message and, if it has buttons, makes them the numbered
// choices; a.mu must be held.
func (a *Adapter) show(id, prefix string, m bot.Outgoing) {
	text := plaintext.Render(m.Content)
	if prefix != "(only you) " {
		a.remember(self(id, text))
	}
	fmt.Fprintf(a.cfg.Out, "%s%s: %s\n", prefix, a.name(id), indent(text))
	els := render.Interactives(m.Content)
	switch {
	case len(els) > 0:
		a.choices = a.choices[:0]
		for _, el := range els {
			a.choices = append(a.choices, m.IDs[el])
		}
		a.choiceM = id
		fmt.Fprintf(a.cfg.Out, "  (type a number to choose)\n")
	case id == a.choiceM:
		a.choices, a.choiceM = nil, "" // the buttons are gone
	}
}

// name is how the bot's message id is signed on screen.
func (a *Adapter) name(id string) string {
	if a.cfg.ShowIDs {
		return a.cfg.BotName + " [" + id + "]"
	}
	return a.cfg.BotName
}

// remember adds m to the conversation's history, or replaces the message
// with m's id; a.mu must be held.
func (a *Adapter) remember(m bot.Message) {
	for i := len(a.log) - 1; i >= 0; i-- {
		if a.log[i].ID == m.ID {
			a.log[i].Text = m.Text
			return
		}
	}
	if len(a.log) == maxLog {
		a.log = append(a.log[:0], a.log[1:]...)
	}
	a.log = append(a.log, m)
}

// self returns a message of the bot's, for history.
func self(id, text string) bot.Message {
	return bot.Message{ID: id, Address: Address, Text: text, Time: time.Now(), FromSelf: true}
}

// Messages implements bot.HistoryReader: the adapter remembers the
// conversation it printed.
func (a *Adapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := a.log
	if limit > 0 && len(h) > limit {
		h = h[len(h)-limit:]
	}
	return append([]bot.Message(nil), h...), nil
}

// indent aligns continuation lines under the first.
func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }

func (a *Adapter) nextID() string { return a.idLocked("b") }

// idLocked returns a new id of the kind ("u" a person's message, "c" a
// click, "b" the bot's message), unique to this adapter's session.
func (a *Adapter) idLocked(kind string) string {
	a.seq++
	return kind + a.session + "-" + strconv.Itoa(a.seq)
}

// Post implements bot.Adapter.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := a.nextID()
	a.show(id, "", m)
	return bot.MessageRef{Address: to, ID: id}, nil
}

// Update implements bot.Adapter: a terminal cannot change what it printed,
// so the new version is printed, marked as an edit.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.show(ref.ID, "(edited) ", m)
	return nil
}

// StartStream implements bot.Streamer: text is printed as it arrives.
func (a *Adapter) StartStream(ctx context.Context, to bot.Address, _ bot.StreamOptions) (bot.TextStream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := a.nextID()
	fmt.Fprintf(a.cfg.Out, "%s: ", a.name(id))
	return &stream{a: a, ref: bot.MessageRef{Address: to, ID: id}}, nil
}

type stream struct {
	a      *Adapter
	ref    bot.MessageRef
	text   strings.Builder
	closed bool
}

func (s *stream) Append(ctx context.Context, delta string) error {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	if s.closed {
		return errors.New("terminal: append to a closed stream")
	}
	s.text.WriteString(delta)
	_, err := io.WriteString(s.a.cfg.Out, indent(delta))
	return err
}

func (s *stream) Close(ctx context.Context) (bot.MessageRef, error) {
	s.a.mu.Lock()
	defer s.a.mu.Unlock()
	if !s.closed {
		s.closed = true
		fmt.Fprintln(s.a.cfg.Out)
		s.a.remember(self(s.ref.ID, s.text.String()))
	}
	return s.ref, nil
}

// SetStatus implements bot.StatusSetter.
func (a *Adapter) SetStatus(ctx context.Context, in bot.Address, status string) error {
	if status != "" {
		a.printf("  · %s %s\n", a.cfg.BotName, status)
	}
	return nil
}

// React implements bot.Reactor.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	a.printf("  · %s reacted :%s:\n", a.cfg.BotName, emoji)
	return nil
}

// PostEphemeral implements bot.EphemeralPoster: the terminal has one
// reader, so the message is printed, marked private.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.show(a.nextID(), "(only you) ", m)
	return nil
}

// LookupUser implements bot.UserLooker; only the person at the keyboard is
// known.
func (a *Adapter) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	if id != a.cfg.User.ID {
		return bot.User{}, fmt.Errorf("terminal: no user %q", id)
	}
	return a.cfg.User, nil
}

// PostFile implements bot.FileUploader by writing the file under FileDir.
func (a *Adapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	dir := a.cfg.FileDir
	if dir == "" {
		d, err := os.MkdirTemp("", "parley-files-")
		if err != nil {
			return bot.MessageRef{}, fmt.Errorf("terminal: %w", err)
		}
		a.cfg.FileDir, dir = d, d
	}
	path := filepath.Join(dir, filepath.Base(f.Name))
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		return bot.MessageRef{}, fmt.Errorf("terminal: %w", err)
	}
	id := a.nextID()
	if f.Comment != "" || a.cfg.ShowIDs {
		fmt.Fprintf(a.cfg.Out, "%s: %s\n", a.name(id), indent(f.Comment))
	}
	a.remember(self(id, strings.TrimSpace(f.Comment+"\n📎 "+f.Name)))
	fmt.Fprintf(a.cfg.Out, "  📎 %s (%d bytes): %s\n", f.Name, len(f.Data), path)
	return bot.MessageRef{Address: to, ID: id}, nil
}
