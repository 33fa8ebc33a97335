package slackfake

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Config describes the workspace the fake serves. Its zero value is a
// workspace "Fake Team" with a bot and two people, ana and ben; each
// field's comment gives its default.
type Config struct {
	// SigningSecret signs the requests the fake sends. Default
	// "fake-signing-secret".
	SigningSecret string
	// VerificationToken is the legacy token Slack puts in every payload
	// (the "token" field). Default "fake-verification-token".
	VerificationToken string
	// BotToken is the only bot token the Web API accepts. Default
	// "xoxb-fake".
	BotToken string
	// AppToken is the only app-level token apps.connections.open accepts.
	// Default "xapp-fake".
	AppToken string
	// TeamID, TeamName and TeamDomain name the workspace. Defaults
	// "T0FAKE", "Fake Team", "fake-team".
	TeamID, TeamName, TeamDomain string
	// AppID is the app's id. Default "A0FAKE".
	AppID string
	// BotUserID, BotID and BotName are the bot's user id (what a mention
	// names), its bot id and its name. Defaults "U0BOT", "B0BOT",
	// "fakebot".
	BotUserID, BotID, BotName string
	// Users are the people of the workspace, as users.info and
	// users.lookupByEmail answer them. Default: ana (U0ANA,
	// ana@example.com) and ben (U0BEN, ben@example.com). The bot's own
	// user is added to them.
	Users []slack.User

	// AckTimeout is how long Send waits for an answer before it gives up,
	// as Slack does. Default 3 seconds.
	AckTimeout time.Duration
	// PingInterval is how often the fake pings each Socket Mode
	// connection. slack-go's socketmode client drops a connection that
	// has not been pinged for its own ping interval (30 seconds unless
	// set), so this must be shorter than that. Default 100 milliseconds.
	PingInterval time.Duration
	// Now is the fake's clock: it dates messages (their ts), events and
	// signatures. Default time.Now.
	Now func() time.Time
}

// The user ids of the two people of the default workspace.
const (
	// Ana is ana (Ana Alves, ana@example.com).
	Ana = "U0ANA"
	// Ben is ben (Ben Brandt, ben@example.com).
	Ben = "U0BEN"
)

func (cfg Config) withDefaults() Config {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&cfg.SigningSecret, "fake-signing-secret")
	def(&cfg.VerificationToken, "fake-verification-token")
	def(&cfg.BotToken, "xoxb-fake")
	def(&cfg.AppToken, "xapp-fake")
	def(&cfg.TeamID, "T0FAKE")
	def(&cfg.TeamName, "Fake Team")
	def(&cfg.TeamDomain, "fake-team")
	def(&cfg.AppID, "A0FAKE")
	def(&cfg.BotUserID, "U0BOT")
	def(&cfg.BotID, "B0BOT")
	def(&cfg.BotName, "fakebot")
	if cfg.Users == nil {
		cfg.Users = []slack.User{
			person(Ana, "ana", "Ana Alves", "ana@example.com"),
			person(Ben, "ben", "Ben Brandt", "ben@example.com"),
		}
	}
	cfg.Users = append([]slack.User(nil), cfg.Users...)
	for i, u := range cfg.Users {
		if u.ID == "" {
			panic(fmt.Sprintf("slackfake: Config.Users[%d] (%q) has no ID", i, u.Name))
		}
		if u.TeamID == "" {
			cfg.Users[i].TeamID = cfg.TeamID
		}
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 3 * time.Second
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 100 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// person returns a user as users.info describes a person.
func person(id, name, realName, email string) slack.User {
	return slack.User{
		ID:       id,
		Name:     name,
		RealName: realName,
		TZ:       "UTC",
		TZLabel:  "Coordinated Universal Time",
		Profile: slack.UserProfile{
			RealName:              realName,
			RealNameNormalized:    realName,
			DisplayName:           name,
			DisplayNameNormalized: name,
			FirstName:             strings.Fields(realName)[0],
			Email:                 email,
		},
	}
}

// Server is a fake Slack: a Web API on loopback, built on slack-go's
// slacktest server, that records every call and keeps what the workspace
// shows; the inbound side of Slack, which builds and signs what people's
// actions send to an app; and a Socket Mode endpoint. It is safe for
// concurrent use.
type Server struct {
	cfg  Config
	sts  *slacktest.Server
	base string // the API's base URL, "http://127.0.0.1:port/"

	mu        sync.Mutex
	changes   platform.Changes // wakes WaitFor
	closed    bool
	clock     time.Time // the last ts handed out
	seq       int       // for ids
	calls     []Call
	faults    map[string][]fault
	noStreams bool

	channels   map[string]*channel
	ephemerals []*Msg
	files      []*File
	fileByID   map[string]*File
	threads    map[threadKey]*threadState
	events     map[string]Event
	responses  map[string]*responseURL
	users      map[string]slack.User // by id, with the bot
	names      map[string]string     // display names by user id, read-only after New

	sock sockets
}

// New starts a fake Slack on a loopback port. Close stops it.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:       cfg,
		faults:    map[string][]fault{},
		channels:  map[string]*channel{},
		fileByID:  map[string]*File{},
		threads:   map[threadKey]*threadState{},
		events:    map[string]Event{},
		responses: map[string]*responseURL{},
		users:     map[string]slack.User{},
		names:     map[string]string{},
	}
	s.sock.init()
	for _, u := range append(cfg.Users, s.botUser()) {
		s.users[u.ID] = u
		s.names[u.ID] = displayName(u)
	}
	s.sts = slacktest.NewTestServer(s.bind)
	s.base = s.sts.GetAPIURL()
	s.sts.Start()
	return s
}

// displayName is the name Slack shows for u.
func displayName(u slack.User) string {
	switch {
	case u.Profile.DisplayName != "":
		return u.Profile.DisplayName
	case u.Name != "":
		return u.Name
	case u.RealName != "":
		return u.RealName
	}
	return u.ID
}

// botUser is the bot as users.info describes it.
func (s *Server) botUser() slack.User {
	return slack.User{
		ID:     s.cfg.BotUserID,
		TeamID: s.cfg.TeamID,
		Name:   s.cfg.BotName,
		IsBot:  true,
		Profile: slack.UserProfile{
			RealName:    s.cfg.BotName,
			DisplayName: s.cfg.BotName,
			BotID:       s.cfg.BotID,
			ApiAppID:    s.cfg.AppID,
		},
	}
}

// Close closes every Socket Mode connection and stops the server. It
// waits for the fake's own goroutines to end.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.closeSockets()
	s.sts.Stop()
	s.sock.wg.Wait()
}

// APIURL returns the Web API's base URL, ending in a slash, for
// slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.base }

// Config returns the fake's configuration, with its defaults filled in.
func (s *Server) Config() Config {
	cfg := s.cfg
	cfg.Users = append([]slack.User(nil), cfg.Users...)
	return cfg
}

// DM returns the id of the direct-message channel between the bot and the
// person userID, as conversations.open answers it.
func (s *Server) DM(userID string) string { return "D" + strings.TrimPrefix(userID, "U") }

// WaitFor calls cond until it returns true, each time anything in the
// fake changes (a call answered, a message posted, an ack received), and
// returns nil then; or ctx's error when ctx ends first. cond may call the
// Server's methods.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	if err := s.changes.WaitFor(ctx, &s.mu, cond); err != nil {
		return fmt.Errorf("slackfake: waiting: %w", err)
	}
	return nil
}

// changedLocked wakes every WaitFor. s.mu is held.
func (s *Server) changedLocked() { s.changes.Changed() }

// nextTSLocked returns a new message timestamp, Slack-style
// ("1712345678.000100"): the clock's time in microseconds, made later
// than every ts handed out before, so that each is unique and they sort
// in the order they were made. s.mu is held.
func (s *Server) nextTSLocked() string {
	t := s.cfg.Now().Truncate(time.Microsecond)
	if !t.After(s.clock) {
		t = s.clock.Add(time.Microsecond)
	}
	s.clock = t
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// nextIDLocked returns prefix followed by a number not used before in
// this fake. s.mu is held.
func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08X", prefix, s.seq)
}

// bind registers the fake's routes on the slacktest server, ahead of its
// defaults (the first pattern registered wins).
func (s *Server) bind(c slacktest.Customize) {
	for method, r := range s.routes() {
		c.Handle("/"+method, s.serveAPI(method, r))
	}
	c.Handle("/upload/", s.serveUpload)
	c.Handle("/files/", s.serveDownload)
	c.Handle("/response/", s.serveResponseURL)
	c.Handle("/socket-mode", s.serveSocket)
	c.Handle("/", s.serveUnknown)
}

// serveUnknown answers a method the fake does not implement, as Slack
// answers one it does not know, and records the call.
func (s *Server) serveUnknown(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/")
	s.serveAPI(method, route{auth: authBot, h: func(*Server, *apiRequest) (obj, error) {
		return nil, apiError("unknown_method")
	}})(w, r)
}
