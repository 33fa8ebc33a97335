package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleybot/parley/bot"
	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/html"
	"github.com/parleybot/parley/render/plaintext"
)

// Platform is the platform name of the web adapter.
const Platform = "web"

// Address returns the address of the page's conversation id: each
// conversation in the sidebar is a conversation of its own.
func Address(conversation string) bot.Address {
	return bot.Address{Platform: Platform, Channel: conversation}
}

// Adapter is the web playground. It is an http.Handler; Start also serves
// it on Config.Addr unless Config.NoListen. Create it with [New].
type Adapter struct {
	cfg  Config
	book *book
	hub  *hub
	// csrf is the per-process secret the page sends back with every
	// request that changes something.
	csrf string
	mux  *http.ServeMux
	// status is each conversation's status line, guarded by book.mu
	// (under which it is published, as messages are).
	status map[string]string

	mu      sync.Mutex
	started bool
	inbox   bot.Inbox
	recv    context.Context // Start's context: inbound events are refused once it ends
	url     string
	srv     *http.Server
	ln      net.Listener
}

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.Streamer        = (*Adapter)(nil)
	_ bot.StatusSetter    = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
	_ bot.FileUploader    = (*Adapter)(nil)
	_ bot.EphemeralPoster = (*Adapter)(nil)
	_ bot.UserLooker      = (*Adapter)(nil)
	_ bot.HistoryReader   = (*Adapter)(nil)
	_ http.Handler        = (*Adapter)(nil)
)

// New returns a web adapter, reading the conversations kept in
// Config.Dir. It returns an error naming the Config field at fault.
func New(cfg Config) (*Adapter, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b, err := openBook(cfg.Dir, cfg.Logger)
	if err != nil {
		return nil, err
	}
	a := &Adapter{cfg: cfg, book: b, hub: newHub(), csrf: rand.Text(), status: map[string]string{}}
	a.routes()
	return a, nil
}

// Platform implements bot.Adapter.
func (a *Adapter) Platform() string { return Platform }

// Start implements bot.Adapter: the page takes messages and clicks until
// ctx ends. Unless Config.NoListen, it also serves the page on
// Config.Addr, logging its URL (see [Adapter.URL]), until ctx ends.
func (a *Adapter) Start(ctx context.Context, in bot.Inbox) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return errors.New("web: adapter already started")
	}
	if !a.cfg.NoListen {
		ln, err := net.Listen("tcp", a.cfg.Addr)
		if err != nil {
			return fmt.Errorf("web: serving the page: %w", err)
		}
		a.ln = ln
		a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second}
		a.url = "http://" + ln.Addr().String() + "/"
		if a.cfg.Token != "" {
			a.cfg.Logger.Info("web: the page is served; open it once with ?token=… (Config.Token)", "url", a.url)
		} else {
			a.cfg.Logger.Info("web: the page is served", "url", a.url)
		}
		go func() {
			if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.cfg.Logger.Error("web: serving the page", "err", err)
			}
		}()
		go func() {
			<-ctx.Done()
			// Pages stay open on their EventSource: close, not Shutdown,
			// which would wait for them.
			a.srv.Close()
		}()
	}
	a.started, a.inbox, a.recv = true, in, ctx
	return nil
}

// URL returns the page's address once Start serves it, else "".
func (a *Adapter) URL() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.url
}

// Close closes the conversation log. The adapter must not be used after.
func (a *Adapter) Close() error { return a.book.close() }

// receiving returns the inbox while the adapter takes events.
func (a *Adapter) receiving() (bot.Inbox, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started || a.recv.Err() != nil {
		return nil, false
	}
	return a.inbox, true
}

// newID returns a new message id of the bot's.
func newID(kind string) string { return kind + "-" + strings.ToLower(rand.Text()[:16]) }

// convOf checks that an address is one of the page's.
func convOf(in bot.Address) (string, error) {
	if in.Platform != Platform || !idPattern.MatchString(in.Channel) {
		return "", fmt.Errorf("web: %s is not a conversation of the page", in)
	}
	return in.Channel, nil
}

// show renders m as the bot's record.
func (a *Adapter) show(id, conv, to string, m bot.Outgoing) record {
	return record{
		ID: id, Conv: conv, To: to, Time: time.Now(), FromName: a.cfg.BotName,
		Text: plaintext.Render(m.Content), HTML: string(html.Render(m.Content, m.IDs)),
	}
}

// put records m and tells the pages. The event is published under the
// book's lock, so that the state a page reads and the number of the
// latest event it has seen agree.
func (a *Adapter) put(m record) error {
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	return a.putLocked(m)
}

// putLocked is put, for a caller holding the book's lock.
func (a *Adapter) putLocked(m record) error {
	if err := a.book.put(m); err != nil {
		return err
	}
	a.hub.publish("message", m.To, m)
	return nil
}

// change applies fn to the message id and tells the pages.
func (a *Adapter) change(id string, fn func(*record)) error {
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	old, ok := a.book.msgs[id]
	if !ok {
		return fmt.Errorf("web: no message %q", id)
	}
	m := *old
	fn(&m)
	if err := a.book.write(entry{Msg: &m}); err != nil {
		return err
	}
	a.hub.publish("message", m.To, m)
	return nil
}

// Post implements bot.Adapter.
func (a *Adapter) Post(ctx context.Context, to bot.Address, m bot.Outgoing) (bot.MessageRef, error) {
	conv, err := convOf(to)
	if err != nil {
		return bot.MessageRef{}, err
	}
	r := a.show(newID("b"), conv, "", m)
	if err := a.put(r); err != nil {
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Address: to, ID: r.ID}, nil
}

// Update implements bot.Adapter: the message changes in place on every
// page.
func (a *Adapter) Update(ctx context.Context, ref bot.MessageRef, m bot.Outgoing) error {
	if _, err := convOf(ref.Address); err != nil {
		return err
	}
	return a.change(ref.ID, func(r *record) {
		n := a.show(r.ID, r.Conv, r.To, m)
		r.Text, r.HTML, r.Streaming = n.Text, n.HTML, false
	})
}

// PostEphemeral implements bot.EphemeralPoster: the message is shown on
// the pages signed in as userID only.
func (a *Adapter) PostEphemeral(ctx context.Context, to bot.Address, userID string, m bot.Outgoing) error {
	conv, err := convOf(to)
	if err != nil {
		return err
	}
	if _, ok := a.person(userID); !ok {
		return fmt.Errorf("web: no person %q", userID)
	}
	return a.put(a.show(newID("e"), conv, userID, m))
}

// SetStatus implements bot.StatusSetter: the status line under the
// conversation.
func (a *Adapter) SetStatus(ctx context.Context, in bot.Address, status string) error {
	conv, err := convOf(in)
	if err != nil {
		return err
	}
	// Kept for pages opened during the run, and published under the
	// book's lock, so that what a page reads and what it hears agree.
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	if status == "" {
		delete(a.status, conv)
	} else {
		a.status[conv] = status
	}
	a.hub.publish("status", "", statusEvent{Conv: conv, Text: status})
	return nil
}

// React implements bot.Reactor.
func (a *Adapter) React(ctx context.Context, ref bot.MessageRef, emoji string) error {
	if _, err := convOf(ref.Address); err != nil {
		return err
	}
	return a.change(ref.ID, func(r *record) {
		if !slices.Contains(r.Reactions, emoji) {
			r.Reactions = append(r.Reactions, emoji)
		}
	})
}

// person returns the person with the id.
func (a *Adapter) person(id string) (bot.User, bool) {
	i := slices.IndexFunc(a.cfg.People, func(u bot.User) bool { return u.ID == id })
	if i < 0 {
		return bot.User{}, false
	}
	return a.cfg.People[i], true
}

// LookupUser implements bot.UserLooker: the people of Config.People.
func (a *Adapter) LookupUser(ctx context.Context, in bot.Address, id string) (bot.User, error) {
	u, ok := a.person(id)
	if !ok {
		return bot.User{}, fmt.Errorf("web: no person %q", id)
	}
	return u, nil
}

// Messages implements bot.HistoryReader from the page's own log: what
// everyone sees, without private messages.
func (a *Adapter) Messages(ctx context.Context, in bot.Address, limit int) ([]bot.Message, error) {
	conv, err := convOf(in)
	if err != nil {
		return nil, err
	}
	var out []bot.Message
	for _, r := range a.book.messages(conv, "") {
		if r.To != "" {
			continue
		}
		m := bot.Message{ID: r.ID, Address: in, Text: r.Text, Time: r.Time}
		if r.From == "" {
			m.FromSelf = true
			m.User = bot.User{ID: "bot", Name: a.cfg.BotName, IsBot: true}
		} else {
			m.User = bot.User{ID: r.From, Name: r.FromName}
			m.Mention, m.Direct = true, true
		}
		out = append(out, m)
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// PostFile implements bot.FileUploader: the file is kept in Config.Dir
// and offered for download at files/{id}.
func (a *Adapter) PostFile(ctx context.Context, to bot.Address, f bot.File) (bot.MessageRef, error) {
	conv, err := convOf(to)
	if err != nil {
		return bot.MessageRef{}, err
	}
	ref := &fileRef{ID: newID("f"), Name: f.Name, Title: f.Title, ContentType: f.ContentType, Size: len(f.Data)}
	if ref.ContentType == "" {
		ref.ContentType = http.DetectContentType(f.Data)
	}
	if err := a.book.saveFile(ref.ID, f.Data); err != nil {
		return bot.MessageRef{}, err
	}
	var content render.Node = render.Text("📎 " + f.Name)
	if f.Comment != "" {
		content = render.Markdown(f.Comment)
	}
	r := a.show(newID("b"), conv, "", bot.Outgoing{Content: content})
	r.File = ref
	if f.Comment != "" {
		r.Text += "\n📎 " + f.Name
	}
	if err := a.put(r); err != nil {
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Address: to, ID: r.ID}, nil
}

// StartStream implements bot.Streamer: the pages get the text as it
// arrives, over their EventSource.
func (a *Adapter) StartStream(ctx context.Context, to bot.Address, _ bot.StreamOptions) (bot.TextStream, error) {
	conv, err := convOf(to)
	if err != nil {
		return nil, err
	}
	return &stream{a: a, ref: bot.MessageRef{Address: to, ID: newID("b")}, conv: conv}, nil
}

// stream is one message being streamed. It is posted at the first
// delta, sent as deltas while it grows, and written to the log whole
// when it closes.
type stream struct {
	a      *Adapter
	ref    bot.MessageRef
	conv   string
	mu     sync.Mutex
	text   strings.Builder
	posted bool
	closed bool
}

func (s *stream) Append(ctx context.Context, delta string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("web: append to a closed stream")
	}
	if delta == "" {
		return nil
	}
	s.text.WriteString(delta)
	if !s.posted {
		r := s.a.show(s.ref.ID, s.conv, "", bot.Outgoing{Content: render.Markdown(s.text.String())})
		r.Streaming = true
		if err := s.a.put(r); err != nil {
			return err
		}
		s.posted = true
		return nil
	}
	// The text so far is kept in memory, not in the log, so a page
	// opened mid-stream shows it; the log gets the whole at Close.
	s.a.book.mu.Lock()
	defer s.a.book.mu.Unlock()
	if r, ok := s.a.book.msgs[s.ref.ID]; ok {
		r.Text += delta
	}
	s.a.hub.publish("delta", "", deltaEvent{ID: s.ref.ID, Conv: s.conv, Text: delta})
	return nil
}

func (s *stream) Close(ctx context.Context) (bot.MessageRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.ref, nil
	}
	s.closed = true
	if !s.posted {
		return bot.MessageRef{}, nil
	}
	if err := s.a.Update(ctx, s.ref, bot.Outgoing{Content: render.Markdown(s.text.String())}); err != nil {
		return bot.MessageRef{}, err
	}
	return s.ref, nil
}
