package web

import (
	"cmp"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/bot"
)

//go:embed static
var static embed.FS

// Routes, relative to where the adapter is mounted.
const (
	csrfHeader  = "X-Parley-CSRF"
	tokenCookie = "parley_token"
	maxBody     = 64 << 10
	maxText     = 16000
)

func (a *Adapter) routes() {
	m := http.NewServeMux()
	files, _ := fs.Sub(static, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(files)))
	m.HandleFunc("GET /{$}", a.page)
	m.HandleFunc("GET /api/state", a.state)
	m.HandleFunc("GET /api/events", a.events)
	m.HandleFunc("GET /files/{id}", a.download)
	m.HandleFunc("POST /api/conversations/{id}/messages", a.message)
	m.HandleFunc("POST /api/actions", a.action)
	a.mux = m
}

// ServeHTTP serves the page, its API and the files the bot uploaded. It
// serves at the root of whatever it is given: to mount it under a prefix,
// strip the prefix (http.StripPrefix("/play", a) for "/play/"); the page
// refers to everything by relative URLs.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if r.URL.Path == "" {
		// Mounted under a prefix and asked for it without its slash:
		// relative URLs need the slash.
		http.Redirect(w, r, "./"+lastSegment(r), http.StatusFound)
		return
	}
	if !a.allowed(w, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := a.checkCSRF(r); err != nil {
			fail(w, http.StatusForbidden, err.Error())
			return
		}
	}
	a.mux.ServeHTTP(w, r)
}

// lastSegment is the last segment of the request's original path, to
// which a redirect adds the slash.
func lastSegment(r *http.Request) string {
	p := strings.TrimSuffix(r.RequestURI, "?"+r.URL.RawQuery)
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p + "/"
}

// allowed checks the token, when there is one, and else that the page is
// asked for by a loopback name, so a site that points its own name at
// 127.0.0.1 cannot read it. It answers the request itself when not.
func (a *Adapter) allowed(w http.ResponseWriter, r *http.Request) bool {
	if a.cfg.Token == "" {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if ok, _ := loopback(net.JoinHostPort(host, "0")); !ok {
			fail(w, http.StatusForbidden, "web: the page is served to loopback names only; set Config.Token to reach it by "+strconv.Quote(host))
			return false
		}
		// The Host header is the client's to write: a client elsewhere,
		// reaching a server the page is mounted on, must not pass by
		// writing 127.0.0.1 there.
		if ok, _ := loopback(r.RemoteAddr); !ok {
			fail(w, http.StatusForbidden, "web: without Config.Token the page answers clients on this machine only")
			return false
		}
		return true
	}
	if q := r.URL.Query().Get("token"); q != "" && r.Method == http.MethodGet && equal(q, a.cfg.Token) {
		http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: q, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		u := *r.URL
		qs := u.Query()
		qs.Del("token")
		u.RawQuery = qs.Encode()
		to := "./" + lastPath(u.Path)
		if u.RawQuery != "" {
			to += "?" + u.RawQuery
		}
		http.Redirect(w, r, to, http.StatusFound)
		return false
	}
	if c, err := r.Cookie(cookieName(r)); err == nil && equal(c.Value, a.cfg.Token) {
		return true
	}
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && equal(t, a.cfg.Token) {
		return true
	}
	fail(w, http.StatusUnauthorized, "web: open the page with ?token= (Config.Token)")
	return false
}

// cookieName is the token cookie's name for the port the browser asked
// for: cookies ignore ports, so two playgrounds on one host would
// otherwise overwrite each other's.
func cookieName(r *http.Request) string {
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil || port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
		return tokenCookie
	}
	return tokenCookie + "_" + port
}

// lastPath is the last segment of a path, "" for a directory.
func lastPath(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// crossOrigin refuses requests the browser says come from another site.
var crossOrigin = http.NewCrossOriginProtection()

// checkCSRF accepts a request that changes something only from the page:
// it carries the per-process secret in a header, which another site can
// neither read nor send without the browser asking first, and the
// browser does not say it comes from another origin.
func (a *Adapter) checkCSRF(r *http.Request) error {
	if err := crossOrigin.Check(r); err != nil {
		return fmt.Errorf("web: refused a cross-origin request: %w", err)
	}
	if !equal(r.Header.Get(csrfHeader), a.csrf) {
		return errors.New("web: missing or stale " + csrfHeader + " header: reload the page")
	}
	return nil
}

// fail answers a request with an error, as JSON the page shows.
func fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

func (a *Adapter) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.ServeFileFS(w, r, static, "static/index.html")
}

// personOf returns the person a request is made as.
func (a *Adapter) personOf(id string) (bot.User, error) {
	u, ok := a.person(id)
	if !ok {
		return bot.User{}, fmt.Errorf("web: %q is not one of the people the page signs in as", id)
	}
	return u, nil
}

// stateReply is what a page reads when it opens or reconnects.
type stateReply struct {
	CSRF          string         `json:"csrf"`
	Seq           uint64         `json:"seq"`
	BotName       string         `json:"botName"`
	People        []person       `json:"people"`
	Conversations []conversation `json:"conversations"`
	Messages      []record       `json:"messages"`
	// Status is the conversation's status line, "" when none.
	Status string `json:"status"`
}

// person is one of the people the page signs in as, named as the
// page's script reads them.
type person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// peopleOf returns the people as the page shows them: by name, else by
// id.
func peopleOf(us []bot.User) []person {
	ps := make([]person, len(us))
	for i, u := range us {
		ps[i] = person{ID: u.ID, Name: cmp.Or(u.Name, u.ID)}
	}
	return ps
}

// state answers GET api/state?as=PERSON&conv=ID: the sidebar, and the
// conversation's messages as the person sees them.
func (a *Adapter) state(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	as := q.Get("as")
	if as != "" {
		if _, err := a.personOf(as); err != nil {
			fail(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	st := stateReply{CSRF: a.csrf, BotName: a.cfg.BotName, People: peopleOf(a.cfg.People), Conversations: a.book.conversations(), Messages: []record{}}
	// The number and the messages are read under one hold of the lock
	// every event is published under, so the page hears exactly the
	// events after what it shows: a delta heard again would be shown
	// twice.
	a.book.mu.Lock()
	st.Seq = a.hub.last()
	if c := q.Get("conv"); c != "" && idPattern.MatchString(c) {
		st.Messages = append(st.Messages, a.book.messagesLocked(c, as)...)
		st.Status = a.status[c]
	}
	a.book.mu.Unlock()
	reply(w, st)
}

// events answers GET api/events?as=PERSON: a Server-Sent Events stream
// of what changes, private messages to as included. A reconnecting page
// sends Last-Event-ID (or since=N); told "reset", it reads the state
// afresh.
func (a *Adapter) events(w http.ResponseWriter, r *http.Request) {
	as := r.URL.Query().Get("as")
	if _, err := a.personOf(as); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	// A reconnecting EventSource sends the URL it first opened, since=
	// and all, and the last event it heard in Last-Event-ID: the header
	// is the later word.
	since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		since, _ = strconv.ParseUint(id, 10, 64)
	}
	sub, missed, complete := a.hub.subscribe(as, since)
	defer a.hub.unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rc := http.NewResponseController(w)
	write := func(ev event) error {
		if ev.To != "" && ev.To != as {
			// Not for this page, but counted: its Last-Event-ID moves on.
			_, err := fmt.Fprintf(w, "id: %d\n\n", ev.ID)
			return err
		}
		_, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, ev.Data)
		return err
	}
	if !complete {
		fmt.Fprintf(w, "event: reset\ndata: {}\n\n")
	}
	for _, ev := range missed {
		if write(ev) != nil {
			return
		}
	}
	if _, err := fmt.Fprintf(w, ": open\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case ev := <-sub.ch:
			if write(ev) != nil {
				return
			}
		drain:
			for {
				select {
				case ev := <-sub.ch:
					if write(ev) != nil {
						return
					}
				default:
					break drain
				}
			}
		case <-ping.C:
			if _, err := fmt.Fprintf(w, ": ping\n\n"); err != nil {
				return
			}
		case <-sub.gone:
			return // fell behind: the page reconnects
		case <-r.Context().Done():
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// download answers GET files/{id}, always as an attachment.
func (a *Adapter) download(w http.ResponseWriter, r *http.Request) {
	ref, data, ok := a.book.file(r.PathValue("id"))
	if !ok {
		fail(w, http.StatusNotFound, "web: no such file")
		return
	}
	ct := ref.ContentType
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ref.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// decode reads a request's JSON body into v.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errors.New("web: the body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("web: reading the request: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("web: reading the request: more than one JSON value")
	}
	return nil
}

// messageRequest is what the composer sends.
type messageRequest struct {
	// EventID is made by the page for each message and sent again when
	// it retries, so the bot answers once.
	EventID string `json:"eventId"`
	As      string `json:"as"`
	Text    string `json:"text"`
}

// actionRequest is a click on a button, or a choice in a select.
type actionRequest struct {
	EventID string `json:"eventId"`
	As      string `json:"as"`
	Conv    string `json:"conv"`
	Message string `json:"message"`
	// Action is the button's data-action, or the chosen option's value.
	Action string `json:"action"`
}

// accepted answers what the Inbox said of an event.
func (a *Adapter) accepted(w http.ResponseWriter, err error, v any) {
	switch {
	case err == nil, errors.Is(err, bot.ErrDuplicate):
		reply(w, v)
	case errors.Is(err, bot.ErrStopping):
		w.Header().Set("Retry-After", "5")
		fail(w, http.StatusServiceUnavailable, "web: the bot is stopping; try again when it is back")
	default:
		a.cfg.Logger.Warn("web: the bot did not take an event", "err", err)
		fail(w, http.StatusServiceUnavailable, "web: the bot could not take it now; try again")
	}
}

// inboxFor answers a request that failed its checks (err) or came while
// the bot takes nothing, and else returns the inbox to hand it to.
func (a *Adapter) inboxFor(w http.ResponseWriter, err error) (bot.Inbox, bool) {
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	in, ok := a.receiving()
	if !ok {
		a.accepted(w, bot.ErrStopping, nil)
	}
	return in, ok
}

// message answers POST api/conversations/{id}/messages.
func (a *Adapter) message(w http.ResponseWriter, r *http.Request) {
	conv := r.PathValue("id")
	var req messageRequest
	if err := decode(w, r, &req); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	u, err := a.personOf(req.As)
	text := strings.TrimSpace(req.Text)
	switch {
	case !idPattern.MatchString(conv):
		err = errors.New("web: the conversation id is not 1 to 64 letters, digits, '-' and '_'")
	case !idPattern.MatchString(req.EventID):
		err = errors.New("web: eventId is not 1 to 64 letters, digits, '-' and '_'")
	case err != nil:
	case text == "":
		err = errors.New("web: the message is empty")
	case len([]rune(text)) > maxText:
		err = fmt.Errorf("web: the message is longer than %d characters", maxText)
	}
	in, ok := a.inboxFor(w, err)
	if !ok {
		return
	}
	m := bot.Message{
		ID: "u-" + req.EventID, EventID: req.EventID, Address: Address(conv), User: u,
		Text: text, Time: time.Now(), Mention: true, Direct: true,
	}
	added, err := a.addPersons(&m)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	// The person's message is shown and on disk: a browser that goes
	// away now (a reload) must not cancel its acceptance half-way.
	ctx, cancel := inboxContext(r)
	defer cancel()
	err = in.Message(ctx, m)
	if err != nil && !errors.Is(err, bot.ErrDuplicate) && added {
		a.remove(m.ID, conv) // not taken: the page keeps the text to send again
	}
	a.accepted(w, err, map[string]string{"id": m.ID})
}

// inboxTimeout bounds how long the bot may take to accept an event.
const inboxTimeout = 30 * time.Second

// inboxContext is the context an event is handed to the bot with: the
// request's values, but not its cancellation, which a browser that
// leaves would cause while the bot's Store is accepting it.
func inboxContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), inboxTimeout)
}

// addPersons shows a person's message and syncs the log, unless a retry
// of it is shown already; it reports whether it added it. A message
// added to a conversation with none before it opens it (m.Opens): it is
// decided under the lock that adds it, so of two first messages sent at
// once exactly one opens the conversation.
func (a *Adapter) addPersons(m *bot.Message) (bool, error) {
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	if _, seen := a.book.msgs[m.ID]; seen {
		return false, nil
	}
	m.Opens = len(a.book.order[m.Address.Channel]) == 0 // nothing before it to read
	if err := a.putLocked(record{ID: m.ID, Conv: m.Address.Channel, Time: m.Time, From: m.User.ID, FromName: m.User.Name, Text: m.Text}); err != nil {
		return true, err
	}
	return true, a.book.flush()
}

// remove takes a person's message the bot did not take off the page. A
// conversation left with no message goes from the sidebar; one whose
// title was this message is named anew.
func (a *Adapter) remove(id, conv string) {
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	var text string
	if m, ok := a.book.msgs[id]; ok {
		text = m.Text
	}
	err := a.book.write(entry{Removed: id})
	if c, ok := a.book.convs[conv]; ok && err == nil {
		switch {
		case len(a.book.order[conv]) == 0:
			err = a.book.write(entry{RemovedConv: conv})
		case c.Title == title(text):
			n := *c
			n.Title = untitled
			for _, mid := range a.book.order[conv] {
				if m := a.book.msgs[mid]; m.From != "" {
					n.Title = title(m.Text)
					break
				}
			}
			err = a.book.write(entry{Conv: &n})
		}
	}
	if err != nil {
		a.cfg.Logger.Warn("web: removing a message", "err", err)
	}
	a.hub.publish("removed", "", removedEvent{ID: id, Conv: conv})
}

// action answers POST api/actions: a click, as the signed-in person.
func (a *Adapter) action(w http.ResponseWriter, r *http.Request) {
	var req actionRequest
	if err := decode(w, r, &req); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	u, err := a.personOf(req.As)
	if err == nil && (!idPattern.MatchString(req.EventID) || req.Action == "" || len(req.Action) > 256) {
		err = errors.New("web: a click needs an eventId and an action")
	}
	if err == nil {
		a.book.mu.Lock()
		m, ok := a.book.msgs[req.Message]
		if !ok || m.Conv != req.Conv || (m.To != "" && m.To != req.As) {
			// A private message is someone else's to click: to the
			// others it does not exist.
			err = fmt.Errorf("web: no message %q in conversation %q", req.Message, req.Conv)
		}
		a.book.mu.Unlock()
	}
	in, ok := a.inboxFor(w, err)
	if !ok {
		return
	}
	ref := bot.MessageRef{Address: Address(req.Conv), ID: req.Message}
	ctx, cancel := inboxContext(r)
	defer cancel()
	err = in.Action(ctx, bot.Action{
		ID: req.Action, EventID: req.EventID, User: u, Message: ref,
		Reply: &actionReply{a: a, ref: ref, to: u.ID},
	})
	a.accepted(w, err, map[string]string{})
}

// actionReply answers a click on the page.
type actionReply struct {
	a   *Adapter
	ref bot.MessageRef
	to  string
}

func (r *actionReply) Ephemeral(ctx context.Context, m bot.Outgoing) error {
	return r.a.PostEphemeral(ctx, r.ref.Address, r.to, m)
}

func (r *actionReply) Update(ctx context.Context, m bot.Outgoing) error {
	return r.a.Update(ctx, r.ref, m)
}
