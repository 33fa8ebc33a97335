// Package slackfake is a fake Slack for tests: the Web API an app calls,
// the requests Slack sends an app when people act, and Socket Mode, on
// loopback. The Slack adapter's tests run on it, and so can the tests of
// any bot or adapter built on slack-go.
//
// # The Web API
//
// [New] starts a [Server]; point slack-go at it with
// slack.OptionAPIURL(srv.APIURL()). It is built on slack-go's slacktest
// server and replaces its routes with stateful ones: chat.postMessage,
// update, delete, postEphemeral, getPermalink; chat.startStream,
// appendStream and stopStream; assistant.threads.setStatus,
// setSuggestedPrompts and setTitle; conversations.replies, history, open
// and info; users.info, lookupByEmail and list; bots.info; reactions.add,
// remove and get; files.getUploadURLExternal, the upload itself and
// files.completeUploadExternal (what slack-go's UploadFileContext does),
// files.info; auth.test; apps.connections.open. Each checks the token and
// its arguments as Slack does and answers in Slack's shapes, with Slack's
// errors (message_not_found, cant_update_message, no_text, invalid_blocks,
// message_not_in_streaming_state…). A method the fake does not know
// answers unknown_method, except the few that slacktest itself serves.
//
// Every call is recorded ([Server.Calls]) with its arguments, its token,
// its time and its answer. Faults are planned per method:
// [Server.RateLimit] answers 429 with Retry-After, [Server.Fail] answers an
// error, [Server.DisableStreaming] makes native streaming unavailable and
// [Server.EndStream] ends a stream as Slack does when one is left open too
// long.
//
// # What the workspace shows
//
// The fake keeps every message, as a person would read it now:
// [Server.Messages] of a channel or a thread, [Server.Message],
// [Server.Ephemerals] shown to one person, [Server.Files],
// [Server.Statuses] of a thread. A [Msg] reads as plain text
// ([Msg.PlainText]) and lists what can be clicked in it ([Msg.Options],
// [Msg.Controls]). Like Slack, the fake gives blocks without a block_id
// one, shows a message's text only when it has no blocks, clears a
// thread's status when the bot replies in it, and takes a user id for a
// channel as the DM with that person ([Server.DM]).
//
// # People acting
//
// [Server.Mention], [Server.ChannelMessage], [Server.DirectMessage],
// [Server.Edit], [Server.Delete], [Server.AssistantThreadStarted],
// [Server.AssistantContextChanged], [Server.Click] and
// [Server.SlashCommand] record what a person does and return the [Event]
// Slack sends for it, in Slack's documented shapes (testdata holds
// samples): an event_callback with a unique event_id, a block_actions
// payload with a response_url that leads back to the fake, a slash command
// form. [Server.Echo] is the event Slack sends for a message already
// posted, the bot's own included; [Server.URLVerification] the handshake
// of a new Request URL; [Server.Event] finds an event again by its id, to
// redeliver it. [Server.Send] (to an
// http.Handler) and [Server.SendURL] deliver it signed with Slack's v0
// scheme ([Server.Sign]); options resend it as a retry ([Retry]) or sign
// it wrongly ([SignedAt], [Signature]).
//
// # Socket Mode
//
// apps.connections.open, with the app-level token, answers the URL of a
// websocket on the fake that says hello, pings, and carries the events
// [Server.SendSocket] sends, one envelope each. The fake records acks
// ([Server.WaitAck], [Server.Acks]); [Server.DropSockets] cuts every
// connection as a network failure does, and an envelope not acked before
// its connection ends comes again on the next, with retry_attempt one
// more. [Server.Disconnect] asks the app to reconnect, as Slack does.
//
// A Server is safe for concurrent use; [Server.WaitFor] waits for a
// condition on it without sleeping.
package slackfake
