package web

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"

	"github.com/parleybot/parley/bot"
)

// Config configures the web adapter. Its zero value serves the page on
// http://127.0.0.1:8080 to ana, ben and cy.
type Config struct {
	// Addr is where Start serves the page. Default "127.0.0.1:8080".
	// An address that is not loopback (":8080", "0.0.0.0:8080", a LAN
	// address) requires Token.
	Addr string
	// NoListen keeps Start from serving: the Adapter is then only an
	// http.Handler, mounted on a server of your own. Default false.
	NoListen bool
	// Token, when set, is required on every request: open the page once
	// as /?token=TOKEN and a cookie carries it from then on. Required
	// when Addr is not a loopback address.
	Token string
	// People are who the page can sign in as, to try who may decide
	// which choice. Default ana, ben and cy. Ids are letters, digits,
	// '-' and '_'.
	People []bot.User
	// BotName is the bot's name on the page. Default "bot".
	BotName string
	// Dir holds the conversations and uploaded files, so that a reload
	// or a restart shows the same page. Default: the directory
	// "parley-web" beside the bot's database (PARLEY_DB, default
	// ./parley.db).
	Dir string
	// Logger receives the adapter's warnings and the page's URL.
	// Default slog.Default().
	Logger *slog.Logger
}

// defaultPeople are the people of a zero Config.
var defaultPeople = []bot.User{{ID: "ana", Name: "Ana"}, {ID: "ben", Name: "Ben"}, {ID: "cy", Name: "Cy"}}

// DefaultAddr is where the page is served unless Config.Addr says.
const DefaultAddr = "127.0.0.1:8080"

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// withDefaults fills cfg's zero fields and checks the rest.
func (cfg Config) withDefaults() (Config, error) {
	cfg.Addr = cmp.Or(cfg.Addr, DefaultAddr)
	cfg.BotName = cmp.Or(cfg.BotName, "bot")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Dir == "" {
		db := cmp.Or(os.Getenv("PARLEY_DB"), bot.DefaultDB)
		cfg.Dir = filepath.Join(filepath.Dir(db), "parley-web")
	}
	if len(cfg.People) == 0 {
		cfg.People = defaultPeople
	}
	seen := map[string]bool{}
	for _, p := range cfg.People {
		if !idPattern.MatchString(p.ID) || seen[p.ID] {
			return cfg, fmt.Errorf("web: Config.People: the id %q is empty, repeated or not letters, digits, '-' and '_'", p.ID)
		}
		seen[p.ID] = true
	}
	{
		loop, err := loopback(cfg.Addr)
		if err != nil {
			return cfg, fmt.Errorf("web: Config.Addr: %w", err)
		}
		if !loop && cfg.Token == "" {
			return cfg, fmt.Errorf("web: Config.Token is required: Config.Addr %q is not a loopback address, so anyone who can reach it could act as anyone", cfg.Addr)
		}
	}
	return cfg, nil
}

// loopback reports whether addr listens on loopback only.
func loopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	if ip == nil {
		if host == "" {
			return false, nil // every interface
		}
		return false, errors.New("the host " + host + " is not an IP address or localhost")
	}
	return ip.IsLoopback(), nil
}
