// Package crashtest holds Parley's crash tests: a real bot, in a process of
// its own, is killed with SIGKILL in the middle of its work and started
// again on the same Store, and the tests check, against the record of a
// fake Slack, that the promise of DESIGN.md's "Replicas" section holds —
// nothing accepted is lost, nothing is posted twice, and no conversation
// is left silent.
//
// The package has no API: it is its tests. Each test runs its own test
// binary again as the bot's process (a child, told its role by the
// environment, as store/sqlite's process tests do). The child is a whole
// bot: the Slack adapter, pointed at the parent's slackfake.Server and
// listening for Slack's signed requests on a loopback port it reports,
// a durable Store (store/sqlite on a file, or store/postgres on a schema
// of the test's own), an approval tool built on bot.AwaitChoice, and a
// model that answers by a fixed rule — no model service. Its leases last
// five seconds (thirty by default), so that the process started after a
// kill takes the dead one's work over soon; shorter ones cost more writes
// than SQLite under the race detector keeps up with (see childLeaseTTL).
//
// The scenarios, from issue 10:
//
//   - A hundred conversations reach a pending approval; the process is
//     killed; a new one starts on the same Store, and every card is
//     clicked: every run completes, once, with one card closed once and
//     one answer per thread. On SQLite and on PostgreSQL.
//
//   - Twenty conversations are killed mid-answer, the model still
//     thinking, some with part of the answer already streamed: after the
//     restart each thread is told, once, that the bot was interrupted
//     (bot.TellInterrupted, the default), and the model is not asked
//     again.
//
//   - Twenty cards are approved on the process that waits for them,
//     which is killed as soon as Slack has its 200 for every click: after
//     the restart every card shows the approval and every thread its
//     answer or the interrupted sentence, nothing twice.
//
//   - A card whose closing edit Slack refuses twice is closed by the next
//     process after a kill (or a graceful stop) in the retries' wait.
//
//   - A process frozen (SIGSTOP) past its leases — while its runs wait,
//     or while its model thinks, the answer arriving as it wakes — is
//     woken after another process took them over: it calls Slack no more.
//
//   - A graceful stop while a run works and two messages wait behind it:
//     the run says it stopped, the next process answers the two in order.
//
// A failed test shows the tail of each child's log; set
// PARLEY_CRASHTEST_LOGS to a directory to keep the whole logs there.
//
// The PostgreSQL tests read PARLEY_TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable) and skip when
// the server cannot be reached, unless CI is set: then they fail.
package crashtest
