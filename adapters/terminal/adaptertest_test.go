package terminal_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/adaptertest"
	"github.com/parleybot/parley/adapters/terminal"
	"github.com/parleybot/parley/bot"
)

// TestAdapterConformance runs the adapter conformance suite on the
// terminal. A terminal has one person at the keyboard, no event ids it
// delivers twice, nobody to hear a refusal (it stops reading), and every
// line addresses the bot: its Features say so.
func TestAdapterConformance(t *testing.T) {
	t.Parallel()
	adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
		inR, inW := io.Pipe()
		tty := &tty{in: inW, user: bot.User{ID: "u1", Name: "ana"}, dir: t.TempDir()}
		t.Cleanup(func() {
			inW.Close()
			inR.Close()
		})
		term := terminal.New(terminal.Config{In: inR, Out: &tty.screen, User: tty.user, FileDir: tty.dir, ShowIDs: true})
		return term, tty
	}, adaptertest.Features{OnePerson: true})
}

// tty is the platform side of the terminal adapter: a person typing into
// its input and reading its output, which the terminal echoes what they
// type into ("> text"), as a terminal does.
type tty struct {
	in     *io.PipeWriter
	screen screen
	user   bot.User
	dir    string
}

func (p *tty) Conversation() bot.Address { return terminal.Address }

func (p *tty) People() []bot.User { return []bot.User{p.user} }

// typeLine types line: the terminal echoes it, then the adapter reads it.
func (p *tty) typeLine(ctx context.Context, line string) error {
	p.screen.mu.Lock()
	if s := p.screen.b.String(); s != "" && !strings.HasSuffix(s, "\n") {
		p.screen.b.WriteByte('\n')
	}
	p.screen.b.WriteString("> " + line + "\n")
	p.screen.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		_, err := io.WriteString(p.in, line+"\n")
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the adapter stopped reading; closing the pipe ends the write
	}
}

func (p *tty) Send(ctx context.Context, from bot.User, text string) (string, error) {
	if from.ID != p.user.ID {
		return "", fmt.Errorf("tty: only %s is at the keyboard", p.user.ID)
	}
	return "", p.typeLine(ctx, text)
}

func (p *tty) SendUnaddressed(context.Context, bot.User, string) error {
	return fmt.Errorf("tty: every line addresses the bot")
}

func (p *tty) Redeliver(context.Context, string) error {
	return fmt.Errorf("tty: a terminal delivers each line once")
}

// Click types the number of the option labelled label, which works only
// for the latest message with options.
func (p *tty) Click(ctx context.Context, ref bot.MessageRef, label string, as bot.User) error {
	if as.ID != p.user.ID {
		return fmt.Errorf("tty: only %s is at the keyboard", p.user.ID)
	}
	s, ok := p.Shown(ref)
	if !ok {
		return fmt.Errorf("tty: no message [%s] on screen", ref.ID)
	}
	k := slices.Index(s.Options, label)
	if k < 0 {
		return fmt.Errorf("tty: message [%s] offers no %q to type the number of; it offers %q", ref.ID, label, s.Options)
	}
	return p.typeLine(ctx, fmt.Sprint(k+1))
}

func (p *tty) Messages() []adaptertest.Shown {
	v := p.read()
	var out []adaptertest.Shown
	for _, m := range v.public {
		out = append(out, v.shown(m))
	}
	return out
}

func (p *tty) Shown(ref bot.MessageRef) (adaptertest.Shown, bool) {
	v := p.read()
	if m, ok := v.byID[ref.ID]; ok && ref.ID != "" {
		return v.shown(m), true
	}
	return adaptertest.Shown{}, false
}

func (p *tty) Private(to bot.User) []adaptertest.Shown {
	if to.ID != p.user.ID {
		return nil
	}
	v := p.read()
	var out []adaptertest.Shown
	for _, m := range v.private {
		out = append(out, v.shown(m))
	}
	return out
}

func (p *tty) Files() []bot.File {
	entries, _ := os.ReadDir(p.dir)
	var out []bot.File
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(p.dir, e.Name()))
		if err == nil {
			out = append(out, bot.File{Name: e.Name(), Data: data})
		}
	}
	return out
}

func (p *tty) Statuses() []string { return p.read().statuses }

// view is the screen read as messages.
type view struct {
	user     bot.User
	public   []*onScreen // people's lines and the bot's messages, in order
	private  []*onScreen
	byID     map[string]*onScreen
	statuses []string
	choice   string // the message whose options typing a number picks
}

// onScreen is one message, as it reads now.
type onScreen struct {
	id        string // the bot's; "" for a typed line
	text      string
	reactions []string
}

var (
	// head is the first line of a version of a bot's message.
	head = regexp.MustCompile(`^(\(edited\) |\(only you\) )?bot \[([^\]]+)\]: ?(.*)$`)
	// option is an option's number and label in a message's text.
	option = regexp.MustCompile(`(?m)\[(\d+)\] (.*?)(?:  |$)`)
)

// read parses the screen. A line of the bot's message starts with its
// head, the rest of the message is indented by two spaces; "  · " lines
// are statuses and reactions (to the latest typed line).
func (p *tty) read() view {
	v := view{user: p.user, byID: map[string]*onScreen{}}
	var cur, typed *onScreen
	for _, line := range strings.Split(p.screen.String(), "\n") {
		switch g := head.FindStringSubmatch(line); {
		case strings.HasPrefix(line, "> "):
			typed = &onScreen{text: line[2:]}
			v.public = append(v.public, typed)
			cur = nil
		case g != nil:
			prefix, id := g[1], g[2]
			if id == v.choice {
				v.choice = "" // unless this version has options too
			}
			m := v.byID[id]
			if m == nil {
				m = &onScreen{id: id}
				v.byID[id] = m
				if prefix == "(only you) " {
					v.private = append(v.private, m)
				} else {
					v.public = append(v.public, m)
				}
			}
			m.text, cur = g[3], m
		case line == "  (type a number to choose)":
			if cur != nil {
				v.choice = cur.id
			}
			cur = nil
		case strings.HasPrefix(line, "  · "):
			rest := strings.TrimPrefix(line, "  · ")
			if emoji, ok := strings.CutPrefix(rest, "bot reacted :"); ok {
				if typed != nil {
					typed.reactions = append(typed.reactions, strings.TrimSuffix(emoji, ":"))
				}
			} else if status, ok := strings.CutPrefix(rest, "bot "); ok {
				v.statuses = append(v.statuses, status)
			}
			cur = nil
		case strings.HasPrefix(line, "  ") && cur != nil:
			cur.text += "\n" + line[2:]
		default:
			cur = nil
		}
	}
	return v
}

func (v view) shown(m *onScreen) adaptertest.Shown {
	s := adaptertest.Shown{Ref: bot.MessageRef{Address: terminal.Address, ID: m.id}, Text: m.text, Reactions: m.reactions}
	if m.id == "" {
		s.From = v.user
		return s
	}
	s.FromBot = true
	if m.id == v.choice {
		for _, g := range option.FindAllStringSubmatch(m.text, -1) {
			s.Options = append(s.Options, g[2])
		}
	}
	return s
}
