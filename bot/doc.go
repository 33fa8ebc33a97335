// Package bot is Parley's core: the [Bot], the conversations it takes part
// in ([Thread]), the tools its agent calls ([DefineTool]), the agent's run
// loop, and the contracts that platforms ([Adapter]) and language models
// ([Model]) implement.
//
// # How a message flows
//
// An adapter receives a platform event, verifies it, and hands a normalized
// [Message] to the bot. The bot serializes the work of each thread (see
// [BusyStrategy]) and calls the thread's handler; the default one runs the
// agent with [Thread.RunAgent]. A run sends the thread's history, the
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
// a tool in advance.
//
// # Waiting for a person
//
// A tool that must not act without a person's say calls [AwaitChoice]: it
// posts a card and blocks until someone picks one of its buttons or
// select options, the timeout passes, or ctx ends. Each option goes to
// the platform as an opaque id, bound in the [Store] to the choice; its
// value stays on the server. With [Approvers], only those users decide and
// anyone else is told privately; without it, anyone in the conversation
// decides. The first valid click wins, atomically in the Store, so one
// choice gets one decision even when clicks race across replicas. The
// card is then edited in place: its options removed, an outcome line
// added. Confirm in package tools is a ready-made approval tool
// built on it.
//
// Cards posted outside a wait may carry buttons bound by name to a
// handler registered with [Bot.OnAction]; the binding lives in the Store
// too, so a click after a restart still reaches the handler.
//
// # Surviving a restart: the replay rule
//
// Go cannot save a blocked goroutine, so a run is made replayable instead.
// Every step whose result the code does not determine — each model
// response, each Thread operation inside a tool handler (posts, edits,
// uploads, user lookups, history reads), each decision, each tool's result
// — is appended to the run's journal in the [Store] before it is used. A
// run waiting in [AwaitChoice] parks after [Config.ParkAfter], or when the
// bot stops: its goroutine ends and only the Store remembers it. When the
// person decides — on this process, after a restart, or on another
// replica sharing the Store — the run is replayed: recorded model
// responses are not requested again, tools whose results are recorded do
// not run again, and the tool that was waiting runs from its start with
// each Thread operation answered from the journal, so nothing is posted
// twice, until it passes AwaitChoice with the decision and goes on live.
//
// So a tool handler that waits for a person must replay the same way:
//
//   - Side effects outside the Thread (a database write, a deploy, an
//     email) go after AwaitChoice, or are idempotent: everything before it
//     runs again on replay.
//   - Thread operations before AwaitChoice come in the same order with the
//     same arguments; read the clock or random numbers after it, or
//     through the Thread. A replay that asks for a different step than the
//     journal holds stops the run with a message in the thread naming the
//     step — it never silently goes another way.
//   - Return [ErrParked] as it is when AwaitChoice or RunAgent returns it.
//     Once a run has parked, the Thread operations its handler still
//     makes return ErrParked too and do nothing.
//   - Make a handler's Thread operations one after the other: concurrent
//     ones are journaled in the order they finish, which a replay need not
//     repeat.
//
// # Failures
//
// People in the thread hear about failures in plain words: the model
// service refusing the credentials, rate limiting or failing, the step limit,
// a handler's error, the bot stopping mid-run. Logs get the details.
// Nothing a model or a platform sends can crash the process.
package bot
