// Package slack is Parley's Slack adapter, on github.com/slack-go/slack: it
// receives Slack's events, clicks and slash commands, and gives a bot's
// Thread every capability Slack has — cards rendered as Block Kit, native
// streaming, the assistant pane's status, files, ephemeral notices,
// reactions, user lookup and history.
//
// # Setting up
//
//	a, err := slack.New(slack.Config{}) // SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN
//	b, err := bot.New(bot.Config{Model: m, Adapters: []bot.Adapter{a}})
//	http.Handle("/slack", a) // unless Socket Mode: SLACK_APP_TOKEN set
//	b.Start(ctx)
//
// `parley slack manifest` prints the app manifest the adapter needs — the
// events and scopes of this package's table, interactivity, the slash
// command, the assistant pane, and either the request URL or Socket Mode —
// to paste into "Create an app → From a manifest"; `parley slack check`
// says which workspace a token is for and which scopes it lacks. [Manifest]
// and [Check] are the same from Go.
//
// # Receiving
//
// Over HTTP, the Adapter is an http.Handler for all three kinds of request
// (or mount EventsHandler, InteractionsHandler and CommandsHandler on paths
// of their own). Each request's signature is checked with slack-go's
// verifier before its body is read further; the body is capped. An event
// is acknowledged once the bot has it in its Store, which is all the 200
// waits for, so that Slack's three seconds hold whatever the model does;
// while the bot stops, events get 503 and Slack delivers them again. Over
// Socket Mode (Config.AppToken) the same dispatch runs for each envelope,
// which is acknowledged the same way.
//
// What becomes a message for the bot:
//
//   - app_mention: a mention in a channel. The conversation is the thread
//     of the mention: the bot answers there, and later replies in that
//     thread reach it without a mention.
//   - message.im: a direct message, or a message in the assistant pane
//     (each pane thread is a conversation of its own).
//   - message.channels, message.groups, message.mpim: replies in threads,
//     delivered unaddressed; the bot answers those in threads it takes
//     part in, which it tells from its own transcript, never from a
//     history call per message. A message outside a thread that does not
//     mention the bot is ignored. Edits and deletions keep the transcript
//     true.
//   - slash commands: the command's text, as a message addressing the bot
//     in the channel it was typed in.
//
// Every event carries Slack's event_id (a click its trigger_id), by which
// the bot drops Slack's retries through its Store, across replicas. Slack
// sends a mention in a channel twice, as app_mention and as message; the
// adapter takes the app_mention. The bot's own messages are ignored, and
// other bots' unless Config.AllowBots.
//
// Text reaches the bot as markdown: <@U123> becomes @name (names from
// users.info, cached, looked up within half a second so the
// acknowledgement is never late), <#C1|general> #general,
// <https://x|label> [label](https://x), and &amp; &lt; &gt; are unescaped.
// A payload slack-go's decoding refuses (a block of an unknown shape) is
// read again with the adapter's own decoding of the few fields it uses,
// so one odd field never drops a message; a payload that cannot be read
// at all is logged and acknowledged.
//
// The assistant pane: assistant_thread_started sets Config.SuggestedPrompts,
// the first message written in a thread names it (assistant.threads.setTitle),
// the bot's status shows there while it works (assistant.threads.setStatus),
// and assistant_thread_context_changed is kept, for tools, as
// [Adapter.AssistantContext]. A thread seen to begin costs no history call:
// its messages are marked bot.Message.Opens.
//
// # Sending
//
// Post and Update render with render/blockkit, with fallback text; a card
// longer than one message goes out as several, under one MessageRef that
// names them all, so that an Update — closing a choice's card — edits the
// whole card, after a restart too. Answers stream natively
// (chat.startStream, appendStream, stopStream) in threads, addressed to
// the person asked, in messages rotated before Slack's five-minute limit;
// where Slack does not stream (feature_not_enabled) or a stream fails, the
// answer goes on as a post edited at most once per Config.UpdateInterval,
// with no text lost. An answer that comes whole before the first flush is
// one plain post. History falls back to conversations.replies (capped, see
// [Adapter.Messages]); users come from users.info, cached; files go
// through slack-go's external upload; a click's notice to the clicker is
// chat.postEphemeral.
//
// A 429 holds every later call of the same Web API method until its
// Retry-After, and slack-go retries the refused call; chat.postMessage is
// paced to one message a second per channel (Config.PostInterval).
//
// # Testing
//
// Package slackfake is a fake Slack on loopback — the Web API, signed
// events, Socket Mode — that the adapter's own tests, and a bot's, run
// against.
package slack
