package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Config configures the Discord adapter. Its zero value reads the
// credentials from the environment and talks to Discord itself.
type Config struct {
	// BotToken is the bot's token (Developer Portal → Bot → Token),
	// without the "Bot " prefix, which the adapter adds. Default:
	// $DISCORD_BOT_TOKEN. Required.
	BotToken string
	// AppID is the application's id, a snowflake (General Information →
	// Application ID). Default: $DISCORD_APP_ID. Required: slash commands
	// and interaction follow-ups are addressed by it.
	AppID string
	// PublicKey is the application's Ed25519 public key, 64 hex digits
	// (General Information → Public Key), by which the HTTP interactions
	// endpoint checks that a request comes from Discord. Default:
	// $DISCORD_PUBLIC_KEY. Needed only when the adapter's http.Handler
	// receives interactions (an Interactions Endpoint URL is set); without
	// it the handler refuses every request.
	PublicKey string
	// GuildID, when set, registers the slash command in that guild only,
	// where it shows at once; otherwise it is registered globally.
	// Default: $DISCORD_GUILD_ID, optional.
	GuildID string
	// Env reads the environment for the defaults above. Default
	// os.Getenv; tests pass their own.
	Env func(key string) string

	// APIURL is the REST API's base URL, ending in a slash. Default
	// "https://discord.com/api/v10/"; tests point it at a fake. The
	// gateway's URL comes from GET /gateway/bot there.
	APIURL string
	// HTTPClient makes the adapter's REST calls. Default: a client with a
	// 30-second timeout keeping up to 64 idle connections.
	HTTPClient *http.Client

	// ShardID and ShardCount split the bot's guilds over several
	// processes: each process runs one shard, 0 ≤ ShardID < ShardCount,
	// and Discord sends it the events of the guilds whose
	// (guild_id >> 22) % ShardCount equals its ShardID; direct messages go
	// to shard 0. Default: one shard (0 of 1). Discord requires sharding
	// from 2,500 guilds (GET /gateway/bot says how many shards it
	// recommends).
	ShardID, ShardCount int

	// NoThreads keeps the conversation a mention starts in the channel it
	// was written in. Default false: a mention in a guild text channel
	// opens a thread on the mentioning message, and the conversation —
	// the bot's answer, later replies — lives there.
	NoThreads bool
	// ThreadArchive is how long an idle thread the adapter opened stays
	// in the channel list before Discord archives it: 60, 1440, 4320 or
	// 10080 minutes. Default 1440 (a day).
	ThreadArchive int
	// CommandName is the slash command registered at Start, answered
	// like a mention. Default "ask"; "-" registers none (and leaves any
	// existing commands alone). Discord takes 1 to 32 lowercase letters,
	// digits, - and _; New refuses another name.
	CommandName string
	// AllowBots delivers messages other bots write, as messages from a
	// user with IsBot set. Default false: other bots' messages are
	// ignored, as the bot's own always are.
	AllowBots bool

	// MaxBodyBytes caps the body of an HTTP interaction; a larger one is
	// refused with 413, unread beyond the cap. Default 64 KiB.
	MaxBodyBytes int64
	// SignatureMaxAge is how far X-Signature-Timestamp may be from now for
	// an HTTP interaction to be taken, so that a signed request captured
	// once cannot be replayed later. Default 5 minutes.
	SignatureMaxAge time.Duration
	// UserCacheTTL is how long a looked-up user stays cached. Default 10
	// minutes.
	UserCacheTTL time.Duration
	// UpdateInterval is the least time between two edits of a streamed
	// message. Default and minimum 1 second.
	UpdateInterval time.Duration
	// HistoryLimit caps the messages read from a channel when the bot has
	// no transcript of a conversation. Default 100.
	HistoryLimit int
	// TypingFor caps how long the typing indicator (a status, see
	// Adapter.SetStatus) is kept up after the last SetStatus, should
	// nobody clear it. Default 2 minutes.
	TypingFor time.Duration

	// Logger receives what the adapter cannot hand back as an error.
	// Default slog.Default().
	Logger *slog.Logger
}

// The environment variables the adapter reads by default.
const (
	EnvBotToken  = "DISCORD_BOT_TOKEN"
	EnvAppID     = "DISCORD_APP_ID"
	EnvPublicKey = "DISCORD_PUBLIC_KEY"
	EnvGuildID   = "DISCORD_GUILD_ID"
)

// DefaultAPIURL is Discord's REST API, version 10.
const DefaultAPIURL = "https://discord.com/api/v10/"

// withDefaults fills the zero fields of cfg and checks it. Errors name the
// field and the variable it comes from.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Env == nil {
		cfg.Env = os.Getenv
	}
	platform.FromEnv(cfg.Env, map[string]*string{
		EnvBotToken:  &cfg.BotToken,
		EnvAppID:     &cfg.AppID,
		EnvPublicKey: &cfg.PublicKey,
		EnvGuildID:   &cfg.GuildID,
	})
	cfg.BotToken = strings.TrimPrefix(cfg.BotToken, "Bot ")
	var errs []error
	switch {
	case cfg.BotToken == "":
		errs = append(errs, fmt.Errorf("discord: Config.BotToken is empty and %s is not set", EnvBotToken))
	case strings.ContainsAny(cfg.BotToken, " \t\r\n") || strings.Count(cfg.BotToken, ".") != 2:
		errs = append(errs, fmt.Errorf("discord: Config.BotToken (%s) is malformed: a bot token is three dot-separated parts without white space", EnvBotToken))
	}
	switch {
	case cfg.AppID == "":
		errs = append(errs, fmt.Errorf("discord: Config.AppID is empty and %s is not set", EnvAppID))
	case !isSnowflake(cfg.AppID):
		errs = append(errs, fmt.Errorf("discord: Config.AppID (%s) %q is not a Discord id (a snowflake: digits only)", EnvAppID, cfg.AppID))
	}
	if cfg.GuildID != "" && !isSnowflake(cfg.GuildID) {
		errs = append(errs, fmt.Errorf("discord: Config.GuildID (%s) %q is not a Discord id (a snowflake: digits only)", EnvGuildID, cfg.GuildID))
	}
	if cfg.PublicKey != "" {
		if _, err := publicKey(cfg.PublicKey); err != nil {
			errs = append(errs, fmt.Errorf("discord: Config.PublicKey (%s): %w", EnvPublicKey, err))
		}
	}
	if cfg.ShardCount < 0 || cfg.ShardID < 0 || (cfg.ShardCount > 0 && cfg.ShardID >= cfg.ShardCount) || (cfg.ShardCount == 0 && cfg.ShardID != 0) {
		errs = append(errs, fmt.Errorf("discord: Config.ShardID %d is not within Config.ShardCount %d (want 0 ≤ ShardID < ShardCount)", cfg.ShardID, cfg.ShardCount))
	}
	if cfg.CommandName != "" && cfg.CommandName != "-" && (!commandNameRE.MatchString(cfg.CommandName) || strings.ToLower(cfg.CommandName) != cfg.CommandName) {
		errs = append(errs, fmt.Errorf("discord: Config.CommandName %q is not a slash command name Discord takes: 1 to 32 lowercase letters, digits, - or _", cfg.CommandName))
	}
	switch cfg.ThreadArchive {
	case 0, 60, 1440, 4320, 10080:
	default:
		errs = append(errs, fmt.Errorf("discord: Config.ThreadArchive %d is not one of Discord's durations: 60, 1440, 4320 or 10080 minutes", cfg.ThreadArchive))
	}
	if len(errs) > 0 {
		return cfg, errors.Join(errs...)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	if cfg.ShardCount == 0 {
		cfg.ShardCount = 1
	}
	if cfg.ThreadArchive == 0 {
		cfg.ThreadArchive = 1440
	}
	if cfg.CommandName == "" {
		cfg.CommandName = "ask"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.SignatureMaxAge <= 0 {
		cfg.SignatureMaxAge = 5 * time.Minute
	}
	if cfg.UserCacheTTL <= 0 {
		cfg.UserCacheTTL = 10 * time.Minute
	}
	if cfg.UpdateInterval < time.Second {
		cfg.UpdateInterval = time.Second
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = 100
	}
	if cfg.TypingFor <= 0 {
		cfg.TypingFor = 2 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// commandNameRE is Discord's rule for a slash command's name: 1 to 32
// letters (lowercase, where a letter has a case: checked apart), digits,
// - and _, Devanagari and Thai marks included.
var commandNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// isSnowflake reports whether s reads as a Discord id: a decimal uint64.
func isSnowflake(s string) bool {
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil && s[0] != '+'
}

// publicKey decodes an application's public key from hex.
func publicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("not hex")
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%d bytes, want an Ed25519 key of %d (64 hex digits)", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}
