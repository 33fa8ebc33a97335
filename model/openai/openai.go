package openai

import (
	"cmp"
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"

	"github.com/parleybot/parley/bot"
)

// DefaultModel is the model used when neither Config.Model nor
// $OPENAI_MODEL names one.
const DefaultModel = "gpt-4o-mini"

// DefaultBaseURL is OpenAI's API, used when neither Config.BaseURL nor
// $OPENAI_BASE_URL names another server.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config configures a [Model]. Its zero value talks to OpenAI with the key
// in $OPENAI_API_KEY.
type Config struct {
	// APIKey is sent as a bearer token. It defaults to $OPENAI_API_KEY. It
	// may be empty: local servers such as Ollama need none, and then no
	// Authorization header is sent.
	APIKey string
	// BaseURL is the API's base URL, up to and including its version path
	// (http://localhost:11434/v1 for Ollama). It defaults to
	// $OPENAI_BASE_URL, else to DefaultBaseURL.
	BaseURL string
	// Model is the model name sent with each request. It defaults to
	// $OPENAI_MODEL, else to DefaultModel.
	Model string
	// HTTPClient sends the requests. It defaults to openai-go's client: a
	// clone of http.DefaultTransport that gives up on a server that sends
	// no response headers within 10 minutes, and no overall timeout, so
	// long streams are not cut.
	HTTPClient *http.Client
	// MaxRetries is how many times a request that failed with 408, 409,
	// 429, a 5xx status or a connection error is retried. Zero means
	// openai-go's default, 2; a negative value means no retries.
	MaxRetries int
	// Temperature is the sampling temperature. Nil leaves it to the
	// server's default.
	Temperature *float64
	// Options are extra openai-go request options (headers, middleware,
	// a request timeout, ...), applied to every request after the settings
	// above, so they override them.
	Options []option.RequestOption
}

// Model is a [bot.Model] that talks to an OpenAI-compatible Chat
// Completions API, streaming every answer. It is safe for concurrent use.
type Model struct {
	client      oai.Client
	name        string
	temperature param.Opt[float64]
	options     []option.RequestOption

	// schemas caches tool parameter schemas decoded for openai-go, keyed by
	// their JSON text, so a run that sends the same tools at every step
	// does not decode them again.
	schemas  sync.Map // string -> shared.FunctionParameters
	nschemas atomic.Int32
}

var _ bot.Model = (*Model)(nil)

// New returns a Model configured by cfg and the environment. It never
// fails: a bad setting surfaces as an error from the first Generate.
func New(cfg Config) *Model {
	apiKey := cmp.Or(cfg.APIKey, env("OPENAI_API_KEY"))
	baseURL := cmp.Or(cfg.BaseURL, env("OPENAI_BASE_URL"))
	if baseURL == "" {
		// openai-go reads $OPENAI_BASE_URL too, and would take a set but
		// empty variable for a base URL: name its default explicitly.
		baseURL = DefaultBaseURL
	}
	opts := []option.RequestOption{
		option.WithAPIKey(apiKey),
		option.WithBaseURL(baseURL),
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	switch {
	case cfg.MaxRetries > 0:
		opts = append(opts, option.WithMaxRetries(cfg.MaxRetries))
	case cfg.MaxRetries < 0:
		opts = append(opts, option.WithMaxRetries(0))
	}
	m := &Model{
		client: oai.NewClient(opts...),
		name:   cmp.Or(cfg.Model, env("OPENAI_MODEL"), DefaultModel),
		// The caller's options go with each request rather than into the
		// client, so that one such as option.WithDataResidency is not
		// rejected for sharing a configuration layer with WithBaseURL.
		options: append([]option.RequestOption(nil), cfg.Options...),
	}
	if cfg.Temperature != nil {
		m.temperature = oai.Float(*cfg.Temperature)
	}
	return m
}

// env returns an environment variable without surrounding white space, so
// a key pasted with a trailing newline still works.
func env(key string) string { return strings.TrimSpace(os.Getenv(key)) }

// Name returns the name of the model the requests ask for.
func (m *Model) Name() string { return m.name }

// Generate sends req as one streamed chat completion request, passes each
// piece of text to onText as it arrives, and returns the whole answer. See
// [bot.Model].
//
// A failure of the service is returned as a *bot.ModelError. When ctx ends
// first, Generate closes the stream and returns ctx's error.
func (m *Model) Generate(ctx context.Context, req *bot.ModelRequest, onText func(delta string)) (*bot.ModelResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	params, err := m.params(req)
	if err != nil {
		return nil, err
	}

	var w wire
	opts := make([]option.RequestOption, 0, len(m.options)+1)
	opts = append(opts, option.WithMiddleware(w.middleware))
	opts = append(opts, m.options...)
	stream := m.client.Chat.Completions.NewStreaming(ctx, params, opts...)
	defer stream.Close()
	if err := stream.Err(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, w.requestError(err)
	}

	var acc accumulator
	for stream.Next() {
		chunk := stream.Current()
		if text := acc.add(&chunk); text != "" && onText != nil {
			onText(text)
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.streamError(stream.Err(), acc.finishReason != ""); err != nil {
		return nil, err
	}
	return acc.response(), nil
}
