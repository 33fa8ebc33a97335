package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/parleybot/parley/adapters/discord"
	"github.com/parleybot/parley/adapters/slack"
)

// Exit statuses.
const (
	exitOK      = 0 // done, and all is well
	exitProblem = 1 // a check found something to fix, or a call failed
	exitUsage   = 2 // the command line is wrong
)

// checkTimeout bounds a check's calls to the platform, so a network that
// swallows packets gives an answer rather than a hang.
const checkTimeout = time.Minute

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// env is what a command may touch: its output streams and the environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// invocation is a command being run: where it writes, and which command it
// is, for its flags' help.
type invocation struct {
	env
	name string // "parley slack manifest"
	cmd  *command
}

// A platform groups the commands for one chat platform, run as
// "parley <platform> <command>". A new platform (discord) is a new entry
// in platforms; run and the help text need no change.
type platform struct {
	name    string
	summary string
	cmds    []command
}

// A command is one "parley <platform> <name>". Its run parses its own
// flags from args and returns the exit status.
type command struct {
	name    string
	usage   string // the arguments, as shown in the help
	summary string
	run     func(ctx context.Context, inv invocation, args []string) int
}

var platforms = []platform{
	{
		name:    "slack",
		summary: "set up the Slack app the Slack adapter needs",
		cmds: []command{
			{
				name:    "manifest",
				usage:   "[-url URL] [-name NAME] [-command /ask|-] [-description TEXT] [-prompt TITLE=MESSAGE]...",
				summary: "print the app manifest to paste into Slack's \"create an app from a manifest\"",
				run:     slackManifest,
			},
			{
				name:    "check",
				usage:   "[-api-url URL]",
				summary: "check $" + slack.EnvBotToken + ": its workspace, its bot user, the scopes it lacks",
				run:     slackCheck,
			},
		},
	},
	{
		name:    "discord",
		summary: "set up the Discord application the Discord adapter needs",
		cmds: []command{
			{
				name:    "invite",
				usage:   "[-app-id ID] [-guild-id ID]",
				summary: "print the OAuth2 URL that adds the bot to a guild with the scopes and permissions the adapter uses",
				run:     discordInvite,
			},
			{
				name:    "check",
				usage:   "[-api-url URL]",
				summary: "check $" + discord.EnvBotToken + ": its bot user, its application, the privileged intents it lacks",
				run:     discordCheck,
			},
		},
	},
}

// run is the whole program: main only adds the process around it, so tests
// call run with their own arguments, streams and environment.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := env{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		usage(stderr, nil)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(e, args[1:])
	}
	p := findPlatform(args[0])
	if p == nil {
		fmt.Fprintf(stderr, "parley: unknown command %q\n\n", args[0])
		usage(stderr, nil)
		return exitUsage
	}
	if len(args) == 1 {
		usage(stderr, p)
		return exitUsage
	}
	switch args[1] {
	case "help", "-h", "-help", "--help":
		usage(stdout, p)
		return exitOK
	}
	c := p.find(args[1])
	if c == nil {
		fmt.Fprintf(stderr, "parley %s: unknown command %q\n\n", p.name, args[1])
		usage(stderr, p)
		return exitUsage
	}
	return c.run(ctx, invocation{env: e, name: "parley " + p.name + " " + c.name, cmd: c}, args[2:])
}

// help answers "parley help [platform]".
func help(e env, args []string) int {
	switch len(args) {
	case 0:
		usage(e.stdout, nil)
		return exitOK
	case 1:
		if p := findPlatform(args[0]); p != nil {
			usage(e.stdout, p)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "parley help: unknown command %q\n\n", args[0])
	}
	usage(e.stderr, nil)
	return exitUsage
}

func findPlatform(name string) *platform {
	for i := range platforms {
		if platforms[i].name == name {
			return &platforms[i]
		}
	}
	return nil
}

func (p *platform) find(name string) *command {
	for i := range p.cmds {
		if p.cmds[i].name == name {
			return &p.cmds[i]
		}
	}
	return nil
}

// usage writes the help of every platform, or of only, when it is not nil.
func usage(w io.Writer, only *platform) {
	fmt.Fprintln(w, "parley helps set up a Parley bot on its chat platforms.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	for _, p := range platforms {
		if only != nil && p.name != only.name {
			continue
		}
		for _, c := range p.cmds {
			fmt.Fprintf(w, "  parley %s %s %s\n      %s\n", p.name, c.name, c.usage, c.summary)
		}
	}
	if only == nil {
		fmt.Fprintln(w, "  parley help [platform]\n      print this help, or a platform's")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run a command with -h for its flags. Exit status: 0 all is well, 1 something to fix, 2 a wrong command line.`)
}

// flags returns the flag set of the command, which writes its errors and
// help to standard error.
func (inv invocation) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(inv.name, flag.ContinueOnError)
	fs.SetOutput(inv.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s %s\n\n%s.\n\nFlags:\n", inv.name, inv.cmd.usage, upperFirst(inv.cmd.summary))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. When it returns false the command must
// return status: the flags asked for help or were wrong.
func parseFlags(fs *flag.FlagSet, args []string) (status int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitUsage, false
	}
	return exitOK, true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// slackManifest is "parley slack manifest".
func slackManifest(_ context.Context, e invocation, args []string) int {
	var opts slack.ManifestOptions
	fs := e.flags()
	fs.StringVar(&opts.RequestURL, "url", "", "the public `URL` where the adapter's http.Handler is mounted; events, interactivity and the slash command go there (default: none, Socket Mode)")
	fs.StringVar(&opts.Name, "name", "", "the app's and the bot's `name` (default \"Parley\")")
	fs.StringVar(&opts.Command, "command", "", "the slash `command`, or - for none (default \"/ask\")")
	fs.StringVar(&opts.Description, "description", "", "`TEXT` describing the app in its profile and in the assistant pane (default \"An AI assistant, built with Parley.\")")
	fs.Func("prompt", "a suggested prompt for the assistant pane, as `TITLE=MESSAGE`; repeat for more (at most 4)", func(v string) error {
		title, message, ok := strings.Cut(v, "=")
		if !ok {
			return errors.New("want TITLE=MESSAGE")
		}
		opts.SuggestedPrompts = append(opts.SuggestedPrompts, slack.Prompt{Title: strings.TrimSpace(title), Message: strings.TrimSpace(message)})
		return nil
	})
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	out, err := slack.Manifest(opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "parley slack manifest: %v\n", err)
		return exitUsage
	}
	if _, err := e.stdout.Write(out); err != nil {
		fmt.Fprintf(e.stderr, "parley slack manifest: %v\n", err)
		return exitProblem
	}
	fmt.Fprintln(e.stderr, "Paste this at https://api.slack.com/apps → Create New App → From a manifest, then install the app to your workspace.")
	if opts.RequestURL == "" {
		fmt.Fprintf(e.stderr, "Socket Mode: the bot needs %s, an app-level token with the connections:write scope (Basic Information → App-Level Tokens), and %s (OAuth & Permissions).\n", slack.EnvAppToken, slack.EnvBotToken)
	} else {
		fmt.Fprintf(e.stderr, "The bot needs %s (OAuth & Permissions) and %s (Basic Information).\n", slack.EnvBotToken, slack.EnvSigningSecret)
	}
	return exitOK
}

// slackCheck is "parley slack check".
func slackCheck(ctx context.Context, e invocation, args []string) int {
	var apiURL string
	fs := e.flags()
	fs.StringVar(&apiURL, "api-url", slack.DefaultAPIURL, "the Slack Web API's base `URL`")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	r, err := slack.Check(ctx, slack.Config{Env: e.getenv, APIURL: apiURL})
	if r.TeamID != "" {
		row(e.stdout, "workspace", fmt.Sprintf("%s (%s) %s", r.Team, r.TeamID, r.URL))
		row(e.stdout, "bot user", fmt.Sprintf("@%s (%s, bot %s)", r.BotUser, r.BotUserID, r.BotID))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "parley slack check: %v\n", err)
		return exitProblem
	}
	row(e.stdout, "scopes", list(r.Scopes))
	row(e.stdout, "missing", list(r.Missing))
	if len(r.Missing) > 0 {
		fmt.Fprintf(e.stderr, "parley slack check: the token lacks %d of the scopes the Slack adapter needs. Add them under OAuth & Permissions → Scopes (or update the app from \"parley slack manifest\"), then reinstall the app.\n", len(r.Missing))
		return exitProblem
	}
	return exitOK
}

func row(w io.Writer, label, value string) {
	fmt.Fprintf(w, "%-10s %s\n", label, value)
}

func list(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

// discordInvite is "parley discord invite".
func discordInvite(_ context.Context, e invocation, args []string) int {
	var opts discord.InviteOptions
	fs := e.flags()
	fs.StringVar(&opts.AppID, "app-id", e.getenv(discord.EnvAppID), "the application's `ID` (default $"+discord.EnvAppID+")")
	fs.StringVar(&opts.GuildID, "guild-id", e.getenv(discord.EnvGuildID), "preselect the guild with this `ID` (default $"+discord.EnvGuildID+")")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if opts.AppID == "" {
		fmt.Fprintf(e.stderr, "parley discord invite: no application id: pass -app-id or set %s\n", discord.EnvAppID)
		return exitUsage
	}
	u, err := discord.InviteURL(opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "parley discord invite: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(e.stdout, u)
	fmt.Fprintf(e.stderr, "Open it to add the bot to a guild, with scopes %s and these permissions:\n", strings.Join(discord.Scopes(), ", "))
	for _, p := range discord.PermissionNames() {
		fmt.Fprintf(e.stderr, "  - %s\n", p)
	}
	fmt.Fprintln(e.stderr, "Then switch on the Message Content intent (Developer Portal → Bot → Privileged Gateway Intents).")
	return exitOK
}

// discordCheck is "parley discord check".
func discordCheck(ctx context.Context, e invocation, args []string) int {
	var apiURL string
	fs := e.flags()
	fs.StringVar(&apiURL, "api-url", discord.DefaultAPIURL, "the Discord REST API's base `URL`")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	r, err := discord.Check(ctx, discord.Config{Env: e.getenv, APIURL: apiURL})
	if r.BotID != "" {
		row(e.stdout, "bot user", fmt.Sprintf("@%s (%s)", r.BotName, r.BotID))
	}
	if r.AppID != "" {
		row(e.stdout, "app", fmt.Sprintf("%s (%s)", r.AppName, r.AppID))
		row(e.stdout, "intents", list(r.Intents))
		row(e.stdout, "missing", list(r.Missing))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "parley discord check: %v\n", err)
		return exitProblem
	}
	return exitOK
}
