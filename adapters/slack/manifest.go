package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ManifestOptions describes the Slack app that [Manifest] writes. Its zero
// value is an app named "Parley" that runs in Socket Mode with the slash
// command /ask.
type ManifestOptions struct {
	// Name is the app's name and its bot's display name, at most 35
	// characters. Default "Parley".
	Name string
	// Description is the app's short description, at most 140 characters,
	// shown in the app's profile and in the assistant pane. Default "An
	// AI assistant, built with Parley."
	Description string
	// RequestURL is the public base URL where the adapter's http.Handler is
	// mounted, such as https://bot.example.com/slack. Events,
	// interactivity and the slash command are all sent to it; the adapter
	// tells them apart by their body. It must be an absolute https URL
	// (plain http is accepted for localhost only). Empty means Socket
	// Mode: the app gets no request URL and the adapter connects out with
	// an app-level token (Config.AppToken).
	RequestURL string
	// Command is the slash command, such as "/ask": a slash and at most 31
	// more characters, lower case, without spaces. Default "/ask";
	// [NoCommand] ("-") means the app has no slash command.
	Command string
	// SuggestedPrompts are the app's fixed suggested prompts in the
	// assistant pane, at most 4, each with a title and a message. Default
	// none. (Config.SuggestedPrompts sets prompts per thread instead, when
	// someone opens one.)
	SuggestedPrompts []Prompt
}

// The defaults of ManifestOptions.
const (
	defaultAppName        = "Parley"
	defaultAppDescription = "An AI assistant, built with Parley."
	defaultCommand        = "/ask"
)

// NoCommand, as ManifestOptions.Command, leaves the slash command out of
// the manifest.
const NoCommand = "-"

// Limits of Slack's app manifest schema, and of the assistant pane for the
// number of suggested prompts.
const (
	maxAppNameLen     = 35
	maxDescriptionLen = 140
	maxCommandLen     = 32
	maxRequestURLLen  = 3000
	maxPrompts        = 4
)

// Manifest returns the Slack app manifest, as indented JSON ending in a
// newline, that the adapter needs: its bot user, the assistant pane, the
// slash command, the bot scopes and event subscriptions the adapter uses,
// interactivity, and either request URLs or Socket Mode. Paste it at
// https://api.slack.com/apps under Create New App → From a manifest.
//
// The scopes and events come from the same table the adapter's inbound
// side reads, so an app created from this manifest receives exactly what
// the adapter handles. Manifest checks opts and fails with an error naming
// each option that is wrong.
func Manifest(opts ManifestOptions) ([]byte, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m := appManifest{
		DisplayInformation: displayInformation{Name: opts.Name, Description: opts.Description},
		Features: features{
			AppHome: appHome{MessagesTabEnabled: true},
			BotUser: botUser{DisplayName: opts.Name, AlwaysOnline: true},
			AssistantView: assistantView{
				AssistantDescription: opts.Description,
			},
		},
		OAuthConfig: oauthConfig{Scopes: oauthScopes{Bot: requiredScopes()}},
		Settings: settings{
			EventSubscriptions: eventSubscriptions{RequestURL: opts.RequestURL},
			Interactivity:      interactivity{IsEnabled: true, RequestURL: opts.RequestURL},
			SocketModeEnabled:  opts.RequestURL == "",
		},
	}
	for _, p := range opts.SuggestedPrompts {
		m.Features.AssistantView.SuggestedPrompts = append(m.Features.AssistantView.SuggestedPrompts,
			manifestPrompt{Title: p.Title, Message: p.Message})
	}
	if opts.Command != NoCommand {
		m.Features.SlashCommands = []slashCommand{{
			Command:     opts.Command,
			URL:         opts.RequestURL,
			Description: "Ask " + opts.Name,
			UsageHint:   "[question]",
		}}
	}
	for _, e := range botEvents {
		m.Settings.EventSubscriptions.BotEvents = append(m.Settings.EventSubscriptions.BotEvents, e.Name)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // a description with & or < stays readable when pasted
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("slack: encoding the manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// withDefaults fills the zero fields of opts and checks them. Errors name
// the option.
func (opts ManifestOptions) withDefaults() (ManifestOptions, error) {
	opts.Name = strings.TrimSpace(opts.Name)
	if opts.Name == "" {
		opts.Name = defaultAppName
	}
	opts.Description = strings.TrimSpace(opts.Description)
	if opts.Description == "" {
		opts.Description = defaultAppDescription
	}
	opts.RequestURL = strings.TrimSpace(opts.RequestURL)
	opts.Command = strings.TrimSpace(opts.Command)
	if opts.Command == "" {
		opts.Command = defaultCommand
	}
	var errs []error
	if n := utf8.RuneCountInString(opts.Name); n > maxAppNameLen {
		errs = append(errs, fmt.Errorf("slack: ManifestOptions.Name %q is %d characters long; Slack allows %d", opts.Name, n, maxAppNameLen))
	}
	if n := utf8.RuneCountInString(opts.Description); n > maxDescriptionLen {
		errs = append(errs, fmt.Errorf("slack: ManifestOptions.Description is %d characters long; Slack allows %d", n, maxDescriptionLen))
	}
	if opts.RequestURL != "" {
		if err := checkRequestURL(opts.RequestURL); err != nil {
			errs = append(errs, err)
		}
	}
	if opts.Command != NoCommand {
		if err := checkCommand(opts.Command); err != nil {
			errs = append(errs, err)
		}
	}
	if len(opts.SuggestedPrompts) > maxPrompts {
		errs = append(errs, fmt.Errorf("slack: ManifestOptions.SuggestedPrompts has %d prompts; Slack shows at most %d", len(opts.SuggestedPrompts), maxPrompts))
	}
	for i, p := range opts.SuggestedPrompts {
		if strings.TrimSpace(p.Title) == "" {
			errs = append(errs, fmt.Errorf("slack: ManifestOptions.SuggestedPrompts[%d].Title is empty", i))
		}
		if strings.TrimSpace(p.Message) == "" {
			errs = append(errs, fmt.Errorf("slack: ManifestOptions.SuggestedPrompts[%d].Message is empty", i))
		}
	}
	return opts, errors.Join(errs...)
}

// checkRequestURL checks that raw is a URL Slack can send requests to:
// absolute and https, or plain http to this machine, which a tunnel or a
// local test server may serve.
func checkRequestURL(raw string) error {
	if len(raw) > maxRequestURLLen {
		return fmt.Errorf("slack: ManifestOptions.RequestURL is %d bytes long; Slack allows %d", len(raw), maxRequestURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("slack: ManifestOptions.RequestURL %q is not a URL: %w", raw, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("slack: ManifestOptions.RequestURL %q is not an absolute URL: it should look like https://bot.example.com/slack", raw)
	}
	if u.User != nil || u.Fragment != "" {
		return fmt.Errorf("slack: ManifestOptions.RequestURL %q has a user or a #fragment, which Slack does not send", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
			return nil
		}
		return fmt.Errorf("slack: ManifestOptions.RequestURL %q is plain http: Slack needs https (http is accepted for localhost only)", raw)
	}
	return fmt.Errorf("slack: ManifestOptions.RequestURL %q is not an http(s) URL", raw)
}

// checkCommand checks a slash command's name as Slack wants it.
func checkCommand(c string) error {
	switch {
	case !strings.HasPrefix(c, "/") || len(c) < 2:
		return fmt.Errorf("slack: ManifestOptions.Command %q should be a slash and a name, such as \"/ask\" (or %q for none)", c, NoCommand)
	case utf8.RuneCountInString(c) > maxCommandLen:
		return fmt.Errorf("slack: ManifestOptions.Command %q is longer than %d characters", c, maxCommandLen)
	case strings.ContainsFunc(c, unicode.IsSpace):
		return fmt.Errorf("slack: ManifestOptions.Command %q contains white space", c)
	case strings.ContainsFunc(c, unicode.IsUpper):
		return fmt.Errorf("slack: ManifestOptions.Command %q should be lower case", c)
	case strings.Contains(c[1:], "/"):
		return fmt.Errorf("slack: ManifestOptions.Command %q has a slash after the first", c)
	}
	return nil
}

// The manifest's JSON, in the order Slack's reference lists its fields.
// Optional fields are left out when empty: Slack rejects an empty request
// URL or usage hint where it accepts none.
type appManifest struct {
	DisplayInformation displayInformation `json:"display_information"`
	Features           features           `json:"features"`
	OAuthConfig        oauthConfig        `json:"oauth_config"`
	Settings           settings           `json:"settings"`
}

type displayInformation struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type features struct {
	AppHome       appHome        `json:"app_home"`
	BotUser       botUser        `json:"bot_user"`
	AssistantView assistantView  `json:"assistant_view"`
	SlashCommands []slashCommand `json:"slash_commands,omitempty"`
}

type appHome struct {
	HomeTabEnabled             bool `json:"home_tab_enabled"`
	MessagesTabEnabled         bool `json:"messages_tab_enabled"`
	MessagesTabReadOnlyEnabled bool `json:"messages_tab_read_only_enabled"`
}

type botUser struct {
	DisplayName  string `json:"display_name"`
	AlwaysOnline bool   `json:"always_online"`
}

type assistantView struct {
	AssistantDescription string           `json:"assistant_description"`
	SuggestedPrompts     []manifestPrompt `json:"suggested_prompts,omitempty"`
}

type manifestPrompt struct {
	Title   string `json:"title"`
	Message string `json:"message"`
}

type slashCommand struct {
	Command      string `json:"command"`
	URL          string `json:"url,omitempty"`
	Description  string `json:"description"`
	UsageHint    string `json:"usage_hint,omitempty"`
	ShouldEscape bool   `json:"should_escape"`
}

type oauthConfig struct {
	Scopes oauthScopes `json:"scopes"`
}

type oauthScopes struct {
	Bot []string `json:"bot"`
}

type settings struct {
	EventSubscriptions   eventSubscriptions `json:"event_subscriptions"`
	Interactivity        interactivity      `json:"interactivity"`
	OrgDeployEnabled     bool               `json:"org_deploy_enabled"`
	SocketModeEnabled    bool               `json:"socket_mode_enabled"`
	TokenRotationEnabled bool               `json:"token_rotation_enabled"`
}

type eventSubscriptions struct {
	RequestURL string   `json:"request_url,omitempty"`
	BotEvents  []string `json:"bot_events"`
}

type interactivity struct {
	IsEnabled  bool   `json:"is_enabled"`
	RequestURL string `json:"request_url,omitempty"`
}
