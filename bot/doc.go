// Package bot is Parley's core: the [Bot], the conversations it takes part
// in ([Thread]), the tools its agent calls ([DefineTool]), the agent's run
// loop, and the contracts that platforms ([Adapter]), language models
// ([Model]) and state ([Store], [Notifier]) implement.
//
// # How a message flows
//
// An adapter receives a platform event, verifies it, and hands a normalized
// [Message] to the bot's [Inbox]. Before the Inbox answers, the message is
// in the [Store]: deduplicated by its platform event id, added to the
// bot's transcript of the thread, and queued in the thread's lane — so an
// adapter acknowledges the platform only for what cannot be lost. The
// process that holds the lane (it takes it if it is free) handles its
// messages one at a time, as [BusyStrategy] says; the default handler runs
// the agent with [Thread.RunAgent]. A run sends the thread's history, the
// instructions and every tool's JSON Schema to the model, streams the
// model's text into the thread as it arrives, and runs the tools the model
// calls, feeding their results back, until the model answers without a
// tool call or the step limit is reached.
//
// # Tools
//
// A tool is a typed Go function. [DefineTool] infers the JSON Schema of its
// arguments from a struct; arguments the model sends are validated against
// it before the handler runs, and invalid ones go back to the model as an
// error it can repair. The handler gets the [ToolContext], whose Thread can
// read the conversation, post cards, upload files and set a status. Its
// result becomes the text the model reads: a string as is, nil as "",
// anything else as JSON, and an error or a panic as {"error": "..."}. A
// panicking tool never takes the process down.
//
// # Capabilities
//
// [Thread] has every method; platforms differ in what they can do. An
// adapter implements the small [Adapter] interface and, for each extra
// ability, an optional interface ([HistoryReader], [FileUploader], ...), as
// an http.ResponseWriter may implement http.Flusher. A Thread method whose
// capability the platform lacks returns an error matching [ErrUnsupported]
// that names the platform and the capability; [Thread.Capabilities] tells
// a tool in advance. [Thread.Messages] works everywhere: it reads the
// bot's own transcript, and a platform's history only for a thread the bot
// has just been called into.
//
// # Waiting for a person
//
// A tool that must not act without a person's say calls [AwaitChoice]: it
// posts a card and waits until someone picks one of its buttons or select
// options, the timeout passes, or ctx ends. The choice and its options are
// in the Store before the card is posted; each option goes to the platform
// as an opaque id, valid only at the address it was posted to, and its
// value stays on the server. With [Approvers], only those users decide and
// anyone else is told privately; without it, anyone in the conversation
// decides. The first valid click wins, atomically in the Store, so one
// choice gets one decision even when clicks race across replicas. The
// card is then edited in place: its options removed, an outcome line
// added. Confirm in package tools is a ready-made approval tool built on
// it.
//
// Cards posted outside a wait may carry buttons bound by name to a
// handler registered with [Bot.OnAction]; the binding lives in the Store
// too, so a click after a restart, or on another replica, still reaches
// the handler.
//
// # Surviving a restart: the replay rule
//
// Go cannot save a blocked goroutine, so a run is made replayable instead.
// A run is one handler's work: a message handler's (the default one runs
// the agent), an action handler's, or a RunAgent called outside any
// handler. Every step whose result the code does not determine — each
// model response, each Thread operation (posts, edits, uploads, user
// lookups, history reads), each decision, each tool's result — is recorded
// in the run's journal in the [Store], in batches written before anything
// a replay must find there: before a choice's card is posted, as soon as
// a decision is taken, when the run parks, when it ends.
//
// A run waiting in [AwaitChoice] parks after [Config.ParkAfter], when
// other work is queued in its thread, or when the bot stops: its goroutine
// ends and only the Store remembers it. When the person decides — on this
// process, after a restart, or on another replica sharing the Store — the
// run is replayed: its handler runs again from its start, each recorded
// step answered from the journal (nothing is asked of the model or posted
// twice), until it passes AwaitChoice with the decision and goes on live.
//
// So a handler, and every tool it may run, must replay the same way:
//
//   - Side effects outside the Thread (a database write, a deploy, an
//     email) go after AwaitChoice, or are idempotent: everything before it
//     runs again on replay.
//   - Thread operations come in the same order with the same arguments;
//     read the clock or random numbers after the wait, or through the
//     Thread. A replay that asks for a different step than the journal
//     holds — another post, a card with other options, even one character
//     more — stops the run with a message in the thread naming the step,
//     and closes its cards: it never silently goes another way, and a
//     click is never mapped to an option other than the one shown.
//   - A run's tools and options come from its code: a handler passes
//     RunAgent the same RunOptions again, its extra tools included. A
//     RunAgent called outside any handler has no code to replay its
//     options from; it resumes after a restart only without extra tools,
//     and otherwise ends plainly, its cards closed.
//   - Return [ErrParked] as it is when AwaitChoice or RunAgent returns it.
//     Once a run has parked, its Thread operations return ErrParked too
//     and do nothing.
//   - Make a handler's Thread operations one after the other: concurrent
//     ones are journaled in the order they finish, which a replay need not
//     repeat. Tool calls the model makes at once are journaled apart.
//   - Errors keep their identity through the journal for the errors of
//     this package, context's and those registered with [RegisterError]:
//     a replayed error matches them under errors.Is as the live one did.
//
// # Replicas and crashes
//
// Several processes may share one Store (Postgres) behind one webhook
// endpoint. Work is done in lanes — a thread's messages, or one click —
// and a lane is held by one process at a time through a lease with a
// fencing token, renewed while it works. A process that could not renew a
// lease for two thirds of [Config.LeaseTTL] gives the lane up by its own
// clock, before the Store lets another take it, so a run is live on one
// process at a time (as long as the processes' clocks run at the same
// pace); and a process whose lease lapsed cannot write over the one that
// took over. A click may land on any replica: it is queued in the Store
// before it is acknowledged, decided there, and wakes the waiting
// goroutine through the [Notifier], or by polling the Store without one;
// when no goroutine waits, the run resumes by replay in its lane. A
// platform's retry of an event landing on another replica is dropped
// there, by its event id.
//
// After a crash, another process takes over the lanes whose lease lapsed.
// A run that was waiting for a person still is, and resumes on the click.
// A run cut while it worked — or while a tool call worked beside its wait
// — is ended with a plain sentence in its thread, its cards closed
// ([TellInterrupted], the default), or replayed ([ReplayInterrupted]).
// A choice asked outside any run (see [AwaitChoice]) died with the
// goroutine that waited for it: it is cancelled, and its card closed
// saying so.
// Work is marked begun in the Store before it is done, so messages and
// clicks accepted and not yet begun are handled, as if nothing happened,
// by whichever process takes the thread next. Nothing accepted is lost
// silently.
//
// A Store that fails — a full disk, a lost connection — loses nothing
// either. While it fails, the Inbox refuses what it cannot keep (the
// platform delivers the message again; the person clicks again). A run
// whose journal write fails waits for the Store, saying so in its thread,
// and goes on when the write succeeds. A run that cannot keep its lane's
// lease for lack of the Store stops and says so — unless it waits for a
// person: then it parks, quietly, and resumes on the decision — and what
// it finished is recorded when the Store is back; its cut work is then
// taken up as Config.Interrupted says, without a second word to the
// thread from this process.
//
// By default (Config.Store nil) all this is in one SQLite file, through
// store/sqlite: PARLEY_DB names it, else [DefaultDB] in the working
// directory; the bot opens it in [New] and closes it at the end of
// [Bot.Stop]. store/postgres serves several replicas. The [MemoryStore]
// keeps it in memory, for tests: a restart empties it.
//
// # Failures
//
// People in the thread hear about failures in plain words: the model
// service refusing the credentials, rate limiting or failing, the step limit,
// a handler's error, the bot stopping mid-run, a task that cannot be
// resumed. Logs get the details. Nothing a model or a platform sends can
// crash the process.
package bot
