package discordfake

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Grant says whether Discord lets the application use a privileged
// gateway intent, as the switches on the developer portal's Bot page do.
type Grant int

const (
	// Granted: the switch is on for a verified application
	// (GATEWAY_MESSAGE_CONTENT in the application's flags).
	Granted Grant = iota
	// GrantedLimited: the switch is on for an application in fewer than
	// 100 servers (GATEWAY_MESSAGE_CONTENT_LIMITED). The gateway behaves
	// as with Granted.
	GrantedLimited
	// Denied: the switch is off. An IDENTIFY asking for the intent is
	// closed with 4014 (disallowed intents).
	Denied
)

// Person is a member of the fake guild.
type Person struct {
	// ID is the user's snowflake id.
	ID string
	// Username is the user's unique name ("ana"), GlobalName the display
	// name they chose ("Ana Alves"), Nick their nickname in the guild
	// (empty for none).
	Username, GlobalName, Nick string
	// Bot is set on bot accounts.
	Bot bool
}

// Channel is a channel of the fake guild, a thread in one, or a DM.
type Channel struct {
	// ID is the channel's snowflake id.
	ID string
	// Name is the channel's name ("general"); empty for a DM.
	Name string
	// Type is the channel's type. Default discordgo.ChannelTypeGuildText.
	Type discordgo.ChannelType
	// ParentID is, for a thread, the channel it belongs to.
	ParentID string
	// Recipient is, for a DM, the person's user id.
	Recipient string
}

// Config describes the application and the guild the fake serves. Its
// zero value is a guild "Fake Guild" with a bot, two people (ana and
// ben) and two text channels (general and random); each field's comment
// gives its default.
type Config struct {
	// Token is the bot token the REST API and the gateway accept, sent as
	// "Authorization: Bot <token>". Default "fake-bot-token".
	Token string
	// ApplicationID is the application's id. Default
	// "1200000000000000001".
	ApplicationID string
	// ApplicationName is the application's name. Default "Fake App".
	ApplicationName string
	// BotUser is the application's bot user. Default: ID the
	// ApplicationID (as for every application created today), Username
	// "fakebot".
	BotUser Person
	// GuildID and GuildName name the guild. Defaults
	// "1200000000000000100" and "Fake Guild".
	GuildID, GuildName string
	// People are the guild's members besides the bot. Default: ana
	// (Ana Alves) and ben (Ben Brandt), with the ids Ana and Ben.
	People []Person
	// Channels are the guild's channels and threads, and any DM known in
	// advance. Default: general (General) and random (Random). A DM with
	// a person is made when first needed (Server.DM, POST
	// /users/@me/channels).
	Channels []Channel
	// PrivateKey is the application's Ed25519 key: the fake signs the
	// interactions it posts with it, and PublicKeyHex gives the public
	// half, as the developer portal shows it. Default: a new key.
	PrivateKey ed25519.PrivateKey
	// MessageContent says whether the MESSAGE_CONTENT privileged intent
	// is granted. Default Granted.
	MessageContent Grant
	// Shards is the shard count GET /gateway/bot recommends. Default 1.
	Shards int
	// HeartbeatInterval is the heartbeat_interval of HELLO. Discord's is
	// about 41 seconds; the default, 1 second, keeps tests quick.
	HeartbeatInterval time.Duration
	// InteractionDeadline is how long after an interaction its first
	// response is accepted. Default 3 seconds, as on Discord.
	InteractionDeadline time.Duration
	// TokenLifetime is how long an interaction's token works for
	// follow-ups and edits. Default 15 minutes, as on Discord.
	TokenLifetime time.Duration
	// HTTPInteractions makes the fake behave as for an application with
	// an Interactions Endpoint URL: Click, Select, SlashCommand and Ping
	// build and record the interaction but do not dispatch it over the
	// gateway; the test posts it with PostInteraction. Default false.
	HTTPInteractions bool
	// Now is the fake's clock: it dates messages and interactions (and so
	// their snowflake ids), the deadlines and signatures. Default
	// time.Now.
	Now func() time.Time
}

// Ids of the default guild's people and channels.
const (
	// Ana is ana (Ana Alves).
	Ana = "1200000000000000201"
	// Ben is ben (Ben Brandt).
	Ben = "1200000000000000202"
	// General is the text channel #general.
	General = "1200000000000000301"
	// Random is the text channel #random.
	Random = "1200000000000000302"
	// BotRole is the bot's managed role, named after the application,
	// which Discord gives a bot invited with permissions: people's
	// clients often write "@Bot" as a mention of it, <@&BotRole>.
	BotRole = "1200000000000000150"
)

func (cfg Config) withDefaults() Config {
	cfg.Token = cmp.Or(cfg.Token, "fake-bot-token")
	cfg.ApplicationID = cmp.Or(cfg.ApplicationID, "1200000000000000001")
	cfg.ApplicationName = cmp.Or(cfg.ApplicationName, "Fake App")
	cfg.BotUser.ID = cmp.Or(cfg.BotUser.ID, cfg.ApplicationID)
	cfg.BotUser.Username = cmp.Or(cfg.BotUser.Username, "fakebot")
	cfg.BotUser.Bot = true
	cfg.GuildID = cmp.Or(cfg.GuildID, "1200000000000000100")
	cfg.GuildName = cmp.Or(cfg.GuildName, "Fake Guild")
	if cfg.People == nil {
		cfg.People = []Person{
			{ID: Ana, Username: "ana", GlobalName: "Ana Alves"},
			{ID: Ben, Username: "ben", GlobalName: "Ben Brandt"},
		}
	}
	cfg.People = append([]Person(nil), cfg.People...)
	for i, p := range cfg.People {
		if p.ID == "" || p.Username == "" {
			panic(fmt.Sprintf("discordfake: Config.People[%d] needs an ID and a Username", i))
		}
	}
	if cfg.Channels == nil {
		cfg.Channels = []Channel{
			{ID: General, Name: "general"},
			{ID: Random, Name: "random"},
		}
	}
	cfg.Channels = append([]Channel(nil), cfg.Channels...)
	for i, c := range cfg.Channels {
		if c.ID == "" {
			panic(fmt.Sprintf("discordfake: Config.Channels[%d] (%q) has no ID", i, c.Name))
		}
	}
	if cfg.PrivateKey == nil {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic("discordfake: " + err.Error())
		}
		cfg.PrivateKey = priv
	}
	if cfg.Shards <= 0 {
		cfg.Shards = 1
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = time.Second
	}
	if cfg.InteractionDeadline <= 0 {
		cfg.InteractionDeadline = 3 * time.Second
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// Server is a fake Discord on loopback: the REST API (v9, which
// discordgo v0.29 speaks, and v10) recording every call and keeping what
// the guild shows; the gateway websocket; and the inbound side, which
// builds what people's actions make Discord send an application. It is
// safe for concurrent use.
type Server struct {
	cfg Config
	hts *httptest.Server

	mu      sync.Mutex
	changes platform.Changes // wakes WaitFor
	closed  bool
	lastID  uint64 // the last snowflake handed out
	seq     int    // for tokens and session ids
	calls   []Call
	faults  map[string][]fault
	global  []fault

	people       map[string]Person   // by id, with the bot
	channels     map[string]*channel // by id
	channelOrder []string            // ids in creation order
	dms          map[string]string   // DM channel id by user id
	msgs         map[string]*Msg     // by id, ephemerals too
	ephemerals   []*Msg
	interactions map[string]*interaction // by id
	events       []Event
	commands     map[string][]obj // by guild id, "" for global
	identifies   []Identify

	gw gateway
}

// New starts a fake Discord on a loopback port. Close stops it.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:          cfg,
		faults:       map[string][]fault{},
		people:       map[string]Person{},
		channels:     map[string]*channel{},
		dms:          map[string]string{},
		msgs:         map[string]*Msg{},
		interactions: map[string]*interaction{},
		commands:     map[string][]obj{},
	}
	s.gw.init()
	s.people[cfg.BotUser.ID] = cfg.BotUser
	for _, p := range cfg.People {
		s.people[p.ID] = p
	}
	for _, c := range cfg.Channels {
		s.addChannelLocked(c)
	}
	s.hts = httptest.NewServer(s.routes())
	return s
}

// Close closes every gateway connection and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.closeGateway()
	s.hts.Close()
	s.gw.wg.Wait()
}

// URL returns the fake's root URL, "http://127.0.0.1:port", which stands
// for https://discord.com.
func (s *Server) URL() string { return s.hts.URL }

// APIURL returns the REST API's base URL, ending in "/api/v10/". The fake
// serves "/api/v9/" (what discordgo v0.29 uses) the same way.
func (s *Server) APIURL() string { return s.hts.URL + "/api/v" + apiVersion + "/" }

// GatewayURL returns the gateway's websocket URL, as GET /gateway
// answers it.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.hts.URL, "http") + "/gateway"
}

// apiVersion is the version APIURL names.
const apiVersion = "10"

// Config returns the fake's configuration, with its defaults filled in.
func (s *Server) Config() Config {
	cfg := s.cfg
	cfg.People = append([]Person(nil), cfg.People...)
	cfg.Channels = append([]Channel(nil), cfg.Channels...)
	return cfg
}

// PublicKey returns the application's public key, which verifies the
// interactions the fake posts (discordgo.VerifyInteraction).
func (s *Server) PublicKey() ed25519.PublicKey {
	return s.cfg.PrivateKey.Public().(ed25519.PublicKey)
}

// PublicKeyHex returns the public key in hex, as the developer portal
// shows it (what DISCORD_PUBLIC_KEY holds).
func (s *Server) PublicKeyHex() string { return hex.EncodeToString(s.PublicKey()) }

// WaitFor calls cond until it returns true, each time anything in the
// fake changes (a call answered, a message posted, a gateway frame sent
// or received), and returns nil then; or ctx's error when ctx ends first.
// cond may call the Server's methods.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	if err := s.changes.WaitFor(ctx, &s.mu, cond); err != nil {
		return fmt.Errorf("discordfake: waiting: %w", err)
	}
	return nil
}

// changedLocked wakes every WaitFor. s.mu is held.
func (s *Server) changedLocked() { s.changes.Changed() }

// discordEpoch is the first second of 2015, in Unix milliseconds: the
// zero of Discord's snowflakes.
const discordEpoch = 1420070400000

// snowflakeLocked returns a new snowflake id: the clock's time in its
// top bits, made larger than every id handed out before, so that each is
// unique and they sort in the order they were made. s.mu is held.
func (s *Server) snowflakeLocked() string {
	ms := max(s.cfg.Now().UnixMilli()-discordEpoch, 0)
	id := uint64(ms) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// snowflakeTime returns the time a snowflake id was made.
func snowflakeTime(id string) time.Time {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(n>>22) + discordEpoch).UTC()
}

// tokenLocked returns a new opaque token with prefix. s.mu is held.
func (s *Server) tokenLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08x%s", prefix, s.seq, hex.EncodeToString([]byte(strconv.Itoa(s.seq*7919))))
}

// Client returns an HTTP client that sends every request for Discord's
// hosts (discord.com, discordapp.com, cdn.discordapp.com and their
// subdomains) to the fake, and refuses any other. Set it as a discordgo
// Session's Client and the session talks to the fake without touching
// discordgo's process-wide Endpoint variables: GET /gateway then answers
// the fake's GatewayURL, so Session.Open connects here too. Tests doing
// this may run in parallel, each with its own fake.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &redirect{s: s}, Timeout: 20 * time.Second}
}

// Session returns a discordgo Session for the bot ("Bot " + Config.Token)
// whose Client is the fake's (see Client). Its Identify.Intents are
// discordgo's default; set them before Open.
func (s *Server) Session() (*discordgo.Session, error) {
	dg, err := discordgo.New("Bot " + s.cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discordfake: %w", err)
	}
	dg.Client = s.Client()
	return dg, nil
}

// redirect is the transport of Client.
type redirect struct{ s *Server }

func (t *redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	host := r.URL.Hostname()
	ok := false
	for _, h := range []string{"discord.com", "discordapp.com", "discordapp.net"} {
		if host == h || strings.HasSuffix(host, "."+h) {
			ok = true
		}
	}
	if !ok && r.URL.Host != strings.TrimPrefix(t.s.hts.URL, "http://") {
		return nil, fmt.Errorf("discordfake: %s is not a Discord host; the fake's client only reaches the fake", r.URL.Host)
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = "http"
	r2.URL.Host = strings.TrimPrefix(t.s.hts.URL, "http://")
	r2.Host = r2.URL.Host
	return t.s.hts.Client().Transport.RoundTrip(r2)
}

// PointDiscordgo sets discordgo's Endpoint variables (EndpointDiscord,
// EndpointAPI, EndpointChannels…) to the fake and returns a function
// that puts them back. They are process-wide: while they point here every
// discordgo Session in the process talks to this fake, so a test using
// PointDiscordgo must not run in parallel with another using a different
// fake. Prefer Client, which needs no global change.
func (s *Server) PointDiscordgo() (restore func()) {
	vars := []*string{
		&discordgo.EndpointDiscord, &discordgo.EndpointAPI, &discordgo.EndpointGuilds,
		&discordgo.EndpointChannels, &discordgo.EndpointUsers, &discordgo.EndpointGateway,
		&discordgo.EndpointGatewayBot, &discordgo.EndpointWebhooks, &discordgo.EndpointStickers,
		&discordgo.EndpointStageInstances, &discordgo.EndpointSKUs, &discordgo.EndpointCDN,
		&discordgo.EndpointCDNAttachments, &discordgo.EndpointCDNAvatars, &discordgo.EndpointCDNIcons,
		&discordgo.EndpointCDNSplashes, &discordgo.EndpointCDNChannelIcons, &discordgo.EndpointCDNBanners,
		&discordgo.EndpointCDNGuilds, &discordgo.EndpointCDNRoleIcons, &discordgo.EndpointVoice,
		&discordgo.EndpointVoiceRegions, &discordgo.EndpointNitroStickersPacks,
		&discordgo.EndpointGuildCreate, &discordgo.EndpointApplications, &discordgo.EndpointOAuth2,
		&discordgo.EndpointOAuth2Applications,
	}
	saved := make([]string, len(vars))
	for i, v := range vars {
		saved[i] = *v
	}
	api, discord := discordgo.EndpointAPI, discordgo.EndpointDiscord
	root := s.hts.URL + "/"
	for _, v := range vars {
		switch {
		case strings.HasPrefix(*v, api):
			*v = s.hts.URL + "/api/v" + discordgo.APIVersion + "/" + strings.TrimPrefix(*v, api)
		case strings.HasPrefix(*v, "https://cdn.discordapp.com/"):
			*v = root + "cdn/" + strings.TrimPrefix(*v, "https://cdn.discordapp.com/")
		case strings.HasPrefix(*v, discord):
			*v = root + strings.TrimPrefix(*v, discord)
		}
	}
	return func() {
		for i, v := range vars {
			*v = saved[i]
		}
	}
}
