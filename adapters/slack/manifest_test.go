package slack_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleybot/parley/adapters/slack"
)

// The -update flag rewrites the golden manifests in testdata. It is
// defined only if no other test file of the package defined it first, so
// that two files may both want it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// manifest is the part of a manifest the tests read.
type manifest struct {
	DisplayInformation struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"display_information"`
	Features struct {
		AppHome struct {
			HomeTabEnabled             *bool `json:"home_tab_enabled"`
			MessagesTabEnabled         *bool `json:"messages_tab_enabled"`
			MessagesTabReadOnlyEnabled *bool `json:"messages_tab_read_only_enabled"`
		} `json:"app_home"`
		BotUser struct {
			DisplayName  string `json:"display_name"`
			AlwaysOnline bool   `json:"always_online"`
		} `json:"bot_user"`
		AssistantView *struct {
			AssistantDescription string `json:"assistant_description"`
			SuggestedPrompts     []struct {
				Title   string `json:"title"`
				Message string `json:"message"`
			} `json:"suggested_prompts"`
		} `json:"assistant_view"`
		SlashCommands []struct {
			Command      string  `json:"command"`
			URL          *string `json:"url"`
			Description  string  `json:"description"`
			UsageHint    string  `json:"usage_hint"`
			ShouldEscape *bool   `json:"should_escape"`
		} `json:"slash_commands"`
	} `json:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `json:"bot"`
		} `json:"scopes"`
	} `json:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL *string  `json:"request_url"`
			BotEvents  []string `json:"bot_events"`
		} `json:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool    `json:"is_enabled"`
			RequestURL *string `json:"request_url"`
		} `json:"interactivity"`
		OrgDeployEnabled     *bool `json:"org_deploy_enabled"`
		SocketModeEnabled    *bool `json:"socket_mode_enabled"`
		TokenRotationEnabled *bool `json:"token_rotation_enabled"`
	} `json:"settings"`
}

func decodeManifest(t *testing.T, opts slack.ManifestOptions) manifest {
	t.Helper()
	out, err := slack.Manifest(opts)
	if err != nil {
		t.Fatalf("Manifest(%+v): %v", opts, err)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("Manifest(%+v) is not JSON: %v\n%s", opts, err, out)
	}
	return m
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

func TestManifestDefaults(t *testing.T) {
	t.Parallel()
	m := decodeManifest(t, slack.ManifestOptions{})
	if got := m.DisplayInformation.Name; got != "Parley" {
		t.Errorf("display_information.name = %q, want Parley", got)
	}
	if got := m.Features.BotUser.DisplayName; got != "Parley" {
		t.Errorf("bot_user.display_name = %q, want Parley", got)
	}
	if !m.Features.BotUser.AlwaysOnline {
		t.Error("bot_user.always_online is not true")
	}
	home := m.Features.AppHome
	if !isTrue(home.MessagesTabEnabled) || !isFalse(home.MessagesTabReadOnlyEnabled) || !isFalse(home.HomeTabEnabled) {
		t.Errorf("app_home = messages %v, read only %v, home %v; want a writable messages tab and no home tab",
			home.MessagesTabEnabled, home.MessagesTabReadOnlyEnabled, home.HomeTabEnabled)
	}
	av := m.Features.AssistantView
	if av == nil || av.AssistantDescription == "" {
		t.Fatalf("assistant_view = %+v, want it with a description (Slack requires one)", av)
	}
	if av.AssistantDescription != m.DisplayInformation.Description {
		t.Errorf("assistant_description %q differs from the app's description %q", av.AssistantDescription, m.DisplayInformation.Description)
	}
	if len(av.SuggestedPrompts) != 0 {
		t.Errorf("suggested_prompts = %+v, want none by default", av.SuggestedPrompts)
	}
	if len(m.Features.SlashCommands) != 1 {
		t.Fatalf("slash_commands = %+v, want one", m.Features.SlashCommands)
	}
	c := m.Features.SlashCommands[0]
	if c.Command != "/ask" || c.Description == "" || !isFalse(c.ShouldEscape) {
		t.Errorf("slash command = %+v, want /ask with a description and should_escape false", c)
	}
	s := m.Settings
	if !s.Interactivity.IsEnabled {
		t.Error("interactivity.is_enabled is not true: buttons would not reach the adapter")
	}
	if !isFalse(s.OrgDeployEnabled) || !isFalse(s.TokenRotationEnabled) {
		t.Errorf("org_deploy_enabled %v, token_rotation_enabled %v; want both false", s.OrgDeployEnabled, s.TokenRotationEnabled)
	}
}

// TestManifestModes pins where Slack sends requests: to RequestURL, for
// events, interactivity and the slash command alike, or nowhere in Socket
// Mode.
func TestManifestModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url string
	}{
		{"socket", ""},
		{"https", "https://bot.example.com/slack"},
		{"https with port and query", "https://bot.example.com:8443/slack?team=1"},
		{"http localhost", "http://localhost:8080/slack"},
		{"http loopback", "http://127.0.0.1:3000/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := decodeManifest(t, slack.ManifestOptions{RequestURL: tc.url})
			socket := tc.url == ""
			if got := m.Settings.SocketModeEnabled; got == nil || *got != socket {
				t.Errorf("socket_mode_enabled = %v, want %v", got, socket)
			}
			urls := map[string]*string{
				"event_subscriptions.request_url": m.Settings.EventSubscriptions.RequestURL,
				"interactivity.request_url":       m.Settings.Interactivity.RequestURL,
				"slash_commands[0].url":           m.Features.SlashCommands[0].URL,
			}
			for field, got := range urls {
				switch {
				case socket && got != nil:
					t.Errorf("%s = %q in Socket Mode, want it absent", field, *got)
				case !socket && (got == nil || *got != tc.url):
					t.Errorf("%s = %v, want %q", field, got, tc.url)
				}
			}
		})
	}
}

func TestManifestOptions(t *testing.T) {
	t.Parallel()
	m := decodeManifest(t, slack.ManifestOptions{
		Name:        "  Helper Bot ",
		Description: "Answers questions about the wiki & the code.",
		Command:     "/helper",
		SuggestedPrompts: []slack.Prompt{
			{Title: "Summarize", Message: "Summarize this channel."},
			{Title: "Explain", Message: "Explain <this> error."},
		},
	})
	if m.DisplayInformation.Name != "Helper Bot" || m.Features.BotUser.DisplayName != "Helper Bot" {
		t.Errorf("names = %q / %q, want \"Helper Bot\" (trimmed) for both", m.DisplayInformation.Name, m.Features.BotUser.DisplayName)
	}
	if got := m.Features.AssistantView.AssistantDescription; got != "Answers questions about the wiki & the code." {
		t.Errorf("assistant_description = %q", got)
	}
	if got := m.Features.SlashCommands[0].Command; got != "/helper" {
		t.Errorf("command = %q, want /helper", got)
	}
	ps := m.Features.AssistantView.SuggestedPrompts
	if len(ps) != 2 || ps[0].Title != "Summarize" || ps[1].Message != "Explain <this> error." {
		t.Errorf("suggested_prompts = %+v", ps)
	}
}

func TestManifestNoCommand(t *testing.T) {
	t.Parallel()
	out, err := slack.Manifest(slack.ManifestOptions{Command: slack.NoCommand, RequestURL: "https://bot.example.com/slack"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("slash_commands")) {
		t.Errorf("Command %q still gives slash_commands:\n%s", slack.NoCommand, out)
	}
}

// TestManifestReadable checks that the manifest reads as written: indented,
// with &, < and > as they are, so it can be pasted and reviewed.
func TestManifestReadable(t *testing.T) {
	t.Parallel()
	out, err := slack.Manifest(slack.ManifestOptions{Description: "Q&A <bot>"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"description": "Q&A <bot>"`)) {
		t.Errorf("manifest escapes or compacts the description:\n%s", out)
	}
	if !bytes.HasSuffix(out, []byte("}\n")) {
		t.Errorf("manifest does not end in a newline")
	}
}

func TestManifestOptionErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts slack.ManifestOptions
		want []string // each in the error
	}{
		{"relative url", slack.ManifestOptions{RequestURL: "/slack"}, []string{"ManifestOptions.RequestURL", "absolute"}},
		{"host only", slack.ManifestOptions{RequestURL: "bot.example.com/slack"}, []string{"ManifestOptions.RequestURL", "absolute"}},
		{"plain http", slack.ManifestOptions{RequestURL: "http://bot.example.com/slack"}, []string{"ManifestOptions.RequestURL", "https"}},
		{"other scheme", slack.ManifestOptions{RequestURL: "ftp://bot.example.com/slack"}, []string{"ManifestOptions.RequestURL", "http"}},
		{"fragment", slack.ManifestOptions{RequestURL: "https://bot.example.com/slack#x"}, []string{"ManifestOptions.RequestURL", "fragment"}},
		{"url too long", slack.ManifestOptions{RequestURL: "https://bot.example.com/" + strings.Repeat("a", 3000)}, []string{"ManifestOptions.RequestURL", "3000"}},
		{"not a url", slack.ManifestOptions{RequestURL: "https://bot example.com/%zz"}, []string{"ManifestOptions.RequestURL"}},
		{"command without slash", slack.ManifestOptions{Command: "ask"}, []string{"ManifestOptions.Command", `"/ask"`}},
		{"slash alone", slack.ManifestOptions{Command: "/"}, []string{"ManifestOptions.Command"}},
		{"command upper case", slack.ManifestOptions{Command: "/Ask"}, []string{"ManifestOptions.Command", "lower case"}},
		{"command with space", slack.ManifestOptions{Command: "/ask me"}, []string{"ManifestOptions.Command", "white space"}},
		{"command too long", slack.ManifestOptions{Command: "/" + strings.Repeat("a", 32)}, []string{"ManifestOptions.Command", "32"}},
		{"name too long", slack.ManifestOptions{Name: strings.Repeat("n", 36)}, []string{"ManifestOptions.Name", "35"}},
		{"description too long", slack.ManifestOptions{Description: strings.Repeat("d", 141)}, []string{"ManifestOptions.Description", "140"}},
		{"too many prompts", slack.ManifestOptions{SuggestedPrompts: make5Prompts()}, []string{"ManifestOptions.SuggestedPrompts", "4"}},
		{"prompt without title", slack.ManifestOptions{SuggestedPrompts: []slack.Prompt{{Message: "hi"}}}, []string{"ManifestOptions.SuggestedPrompts[0].Title"}},
		{"prompt without message", slack.ManifestOptions{SuggestedPrompts: []slack.Prompt{{Title: "a", Message: "b"}, {Title: "hi", Message: " "}}}, []string{"ManifestOptions.SuggestedPrompts[1].Message"}},
		{"several at once", slack.ManifestOptions{RequestURL: "http://example.com", Command: "ask"}, []string{"ManifestOptions.RequestURL", "ManifestOptions.Command"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := slack.Manifest(tc.opts)
			if err == nil {
				t.Fatalf("Manifest gave no error, and:\n%s", out)
			}
			if out != nil {
				t.Errorf("Manifest gave a manifest with its error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "slack: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func make5Prompts() []slack.Prompt {
	ps := make([]slack.Prompt, 5)
	for i := range ps {
		ps[i] = slack.Prompt{Title: "t", Message: "m"}
	}
	return ps
}

// TestManifestGolden pins the whole manifest in each mode. A change to the
// table of events and scopes shows here as a diff to review; rewrite the
// files with go test -run TestManifestGolden -update.
func TestManifestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		opts slack.ManifestOptions
	}{
		{"manifest_http.json", slack.ManifestOptions{
			RequestURL: "https://bot.example.com/slack",
			SuggestedPrompts: []slack.Prompt{
				{Title: "What can you do?", Message: "What can you help me with?"},
			},
		}},
		{"manifest_socket.json", slack.ManifestOptions{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := slack.Manifest(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if updating() {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("manifest differs from %s (run with -update if the change is meant):\n%s", path, got)
			}
		})
	}
}
