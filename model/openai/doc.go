// Package openai implements [bot.Model] over any server that speaks
// OpenAI's Chat Completions API, with github.com/openai/openai-go.
//
//	m := openai.New(openai.Config{Model: "gpt-4o-mini"})
//	b, err := bot.New(bot.Config{Model: m, ...})
//
// Every answer is streamed: text reaches the thread as the model writes it,
// and tool calls, whose arguments arrive in pieces, are put back together
// before [Model.Generate] returns them. Arguments are passed on as the
// model wrote them; they may not be valid JSON, and the bot validates them
// against the tool's schema. A refusal (a model declining to answer) is
// streamed and returned as text, since it is what the people in the thread
// should read.
//
// # Configuration
//
// [Config]'s zero value reads the environment, as OpenAI's SDKs do:
// OPENAI_API_KEY for the key, OPENAI_BASE_URL for the server and
// OPENAI_MODEL for the model name (a Parley addition). A Config field that
// is set wins over its variable. openai-go also reads OPENAI_ORG_ID,
// OPENAI_PROJECT_ID and OPENAI_CUSTOM_HEADERS and sends what they say.
//
// # OpenAI-compatible servers
//
// Any server with an OpenAI-compatible /chat/completions endpoint works:
// set BaseURL to its base URL, version path included, and Model to one of
// its models. Local servers need no API key:
//
//	Ollama      http://localhost:11434/v1
//	llama.cpp   http://localhost:8080/v1
//	vLLM        http://localhost:8000/v1
//	LM Studio   http://localhost:1234/v1
//
// The server must support streaming with tool calls. Usage is asked for
// with stream_options.include_usage; a server that ignores it leaves
// [bot.ModelResponse].Usage zero.
//
// # Retries
//
// openai-go retries a request that fails with 408, 409, 429 or a 5xx
// status, or with a connection error, twice by default
// ([Config].MaxRetries changes that). It waits as long as the server says
// in Retry-After or retry-after-ms (up to two minutes; a longer wait is not
// waited for, and the error is returned), else backs off exponentially from
// half a second. Only the request is retried: once the answer streams,
// a broken stream is returned as an error, since text may already have
// reached the thread.
//
// # Errors
//
// Every failure of the service is a *[bot.ModelError], which the bot turns
// into a plain-words notice in the thread:
//
//   - An HTTP error answer (after retries) has its StatusCode, and as
//     Message the service's own explanation, read from OpenAI's error
//     format and from the formats other servers use.
//   - A stream that breaks off before the model finished (the connection
//     was cut, or the server went away) has StatusCode 0 and Message
//     "response stream ended before the answer was complete"; Err is the
//     read error, or io.ErrUnexpectedEOF if the stream just ended early.
//   - A chunk that cannot be decoded, or an error event in the stream, has
//     StatusCode 0 and a Message that says so.
//   - A server that cannot be reached has StatusCode 0 and the connection
//     error as Err.
//
// When the context ends, Generate closes the stream and returns the
// context's error as is, not a ModelError: the run was cancelled, the
// service did not fail. A request the package cannot build (a message with
// an unknown role, a tool whose Parameters are not a JSON object) is an
// error of the program and is returned as a plain error.
//
// Tests use the fake server in [github.com/parleybot/parley/model/openai/openaitest].
package openai
