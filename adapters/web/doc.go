// Package web is the local web playground: a chat page served by the bot
// (default http://127.0.0.1:8080) to try a bot with no Slack or Discord
// account. It is the adapters/web row of ../../shared/DESIGN.md.
//
// The page has conversations in a sidebar, messages, a composer, text
// streamed over Server-Sent Events, cards rendered by render/html whose
// buttons and selects decide through the same AwaitChoice path as Slack
// and Discord, a status line, file downloads, and a "signed in as"
// switcher between Config.People so that approver rules can be tried. It
// is plain HTML, CSS and JavaScript embedded with go:embed: no build
// step, nothing fetched from elsewhere. Elements carry stable ids
// (#conversations, #messages, #composer, #text, #person, #status) and
// data attributes (data-id, data-from, data-conv; render/html's
// data-action and data-select) for tests in a real browser.
//
// The [Adapter] is an http.Handler, to mount beside the Slack and Discord
// handlers (under a prefix with http.StripPrefix: the page uses relative
// URLs only); Start also serves it on Config.Addr unless Config.NoListen.
//
// Its API, relative to where it is mounted:
//
//	GET  api/state?as=PERSON&conv=ID         sidebar, messages, CSRF secret, latest event number
//	GET  api/events?as=PERSON&since=N        Server-Sent Events: message, delta, status, removed, reset
//	POST api/conversations/{id}/messages     {"eventId", "as", "text"}
//	POST api/actions                         {"eventId", "as", "conv", "message", "action"}
//	GET  files/{id}                          a file the bot uploaded, as an attachment
//
// Each POST carries an eventId the page makes, sent again when it
// retries, so the bot answers once (a duplicate is answered 200). A bot
// that is stopping is answered 503 and the page keeps the text to send
// again.
//
// Safety: bound to loopback by default, and then it answers requests made
// by loopback names only (a site that points its own name at 127.0.0.1
// cannot read it). Bound to any other address it requires Config.Token on
// every request (a cookie set by opening /?token=…, or a bearer header).
// Requests that change something need the page's per-process secret in
// the X-Parley-CSRF header and are refused when the browser says they come
// from another origin (http.CrossOriginProtection).
//
// Persistence: the bot's Store is not readable through package bot's
// public API, so the adapter keeps its own log of what the page shows —
// conversations and messages as they stand (cards with their current
// content and action ids), as JSON lines in Config.Dir, with uploaded
// files beside it. A reload or a restart shows the same page; a card's
// buttons keep their opaque ids, which the bot's Store maps to choices,
// so a click after a restart resumes the waiting run by replay. The log
// is appended to, and rewritten as what the page shows (a temporary file
// synced and renamed over it, so a crash leaves the old log or the new)
// at start when it is more than twice that, and while the bot runs when
// it is more than four times that. A person's message is synced to disk
// before the bot is told of it, and handed to the bot with a context the
// browser's leaving does not cancel. Uploaded files are kept; delete the
// directory to start afresh.
//
// Images in cards load from the page itself or over https only (the
// Content-Security-Policy's img-src): a URL a model writes into a card
// is fetched by the browser, so plain http: and data: are refused. The
// token cookie is named for the port the page is opened on
// (parley_token_8080), so playgrounds on two ports of one host keep their
// own.
package web
