// Package adaptertest is the conformance suite of Parley's adapters: the
// checks every bot.Adapter passes, as slogtest checks slog handlers and
// storetest checks Stores. A new adapter is done when the suite passes,
// not before.
//
// The suite drives an adapter from its platform's side, never through the
// adapter's internals: people write and click on the platform, and the
// suite reads what the platform shows them. The adapter's own test
// provides that side as a [Platform] — a fake Slack or Discord server on
// loopback speaking the platform's wire format, a pipe for a terminal —
// and declares in [Features] what the platform can express at all (a
// second person, redelivered events, a refusal it hears, messages not
// addressed to the bot). What the adapter can do for the bot — history,
// user lookup, files, status, streaming, ephemeral messages, reactions —
// the suite reads from the adapter itself, as the bot does
// (bot.CapabilityReporter and the optional interfaces): what it has is
// checked on the platform, and what it lacks must make the matching
// Thread method fail with an error matching bot.ErrUnsupported that names
// the platform and the capability.
//
// Each check is a subtest named for the behaviour it checks, with a new
// adapter and platform and a real bot.Bot over them: a scripted model
// (bottest.Model) and an in-memory Store. The checks cover posting text,
// markdown and cards; updating them; a message reaching the agent and its
// answer shown in the same conversation, streamed natively or by post and
// edits; the thread's messages as a tool reads them, and the platform's
// history; user lookup; files; ephemeral messages; reactions; status; a
// click on an action button; a choice round trip through bot.AwaitChoice
// (the card shown with its options, a click by someone not asked to
// approve refused privately, the approver's click deciding, the card
// closed with its outcome line); a stopping bot refusing new events while
// the adapter goes on posting the answer in flight; a redelivered event
// answered once; and a message not addressed to the bot left unanswered.
//
// The bot the suite starts sees the adapter through a thin wrapper that
// records what the adapter hands to the Inbox and what the Inbox answers.
// That is how the suite knows an event reached the bot without asking the
// platform to be synchronous (a gateway socket is not), and how it checks
// that events are normalized: their Address, User, Mention and EventID.
// It waits on those records and on bot.Bot.Idle, never on time.
//
// # Writing an adapter's conformance test
//
// A webhook adapter's test starts a fake of its platform on loopback,
// points the adapter at it, and has the fake implement [Platform] — Send
// posts a signed event to the adapter's http.Handler and returns the
// status the handler answered, Shown reads what the fake recorded of the
// adapter's Web API calls:
//
//	func TestConformance(t *testing.T) {
//		adaptertest.Run(t, func(t *testing.T) (bot.Adapter, adaptertest.Platform) {
//			fake := newFakeSlack(t) // httptest server: Web API and event sender
//			a, err := slack.New(slack.Config{APIURL: fake.URL + "/api/", SigningSecret: fake.Secret})
//			if err != nil {
//				t.Fatal(err)
//			}
//			fake.Deliver(a) // events go to a's http.Handler
//			return a, fake
//		}, adaptertest.Features{Redelivery: true, RefusalVisible: true, Unaddressed: true})
//	}
//
// The suite runs its checks in parallel, so setup must make everything
// anew and the Platform be safe for concurrent use. Two complete
// examples live in the repository: bottest/adaptertest_test.go runs the
// suite on the in-memory platform (and shows that each check catches an
// adapter with a matching defect), and adapters/terminal/adaptertest_test.go
// on the terminal, reading its screen.
package adaptertest
