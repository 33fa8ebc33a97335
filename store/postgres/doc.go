// Package postgres is a [bot.Store] and a [bot.Notifier] on PostgreSQL,
// for a bot run as several replicas: identical processes behind one
// load balancer that share one database and schema, and with it the
// work. It uses pgx v5: a pool of connections for the Store's calls, and
// one connection of its own that listens for notes.
//
//	s, err := postgres.Open(ctx, "postgres://parley@db:5432/parley", postgres.Options{})
//	...
//	b, err := bot.New(bot.Config{Store: s, ...}) // s is also the Notifier
//
// # Schema
//
// Everything lives in one schema (Options.Schema, default "parley"),
// created on Open if missing. Times are bigint milliseconds since the
// epoch, UTC; records of the bot's types are encoding/json text in json
// columns (json, not jsonb: it keeps every string encoding/json writes).
//
//   - schema_version: one row, the version of the schema.
//   - choices: a row per choice — its run, created, deadline, state and
//     end time as columns for the queries, the record as json, and the
//     card's MessageRef and the Outcome in columns of their own, written
//     once each.
//   - actions: a row per action id. One bound to a handler holds its
//     record; an option of a choice names the choice and its index, and
//     goes when the choice does (ON DELETE CASCADE).
//   - dedupe: event keys and when they expire.
//   - lanes: a row per lane with a lease or with queued items: the
//     lease's owner, fencing token and expiry. Tokens come from the
//     sequence tokens, so they grow with every holder of every lane,
//     also across a lane emptied, deleted and claimed again.
//   - items: the queued work items, in the order accepted, with how many
//     leases began each, the token of the last, and the token of the
//     lease each was last handed out with.
//   - journal, journal_keep: run journals, an entry a row, and the time
//     until which a finished run's journal is kept.
//   - threads, messages: transcripts, a message a row in the order
//     recorded, and when each thread was last written.
//
// # Atomic operations
//
// Every operation is one statement, or one READ COMMITTED transaction
// sent in as few round trips as it allows (pgx batches). Correctness
// does not rest on the isolation level but on row locks: an operation
// locks the row it decides on, and the statements after the lock see
// everything committed before it.
//
//   - Resolve, first click wins: UPDATE choices ... WHERE id = $1 AND
//     state = pending RETURNING. Concurrent calls, from any process,
//     queue on the row's lock; the first changes it, the others find it
//     no longer pending, change nothing, and read the winner's outcome.
//   - PutChoice, PutActions: one INSERT (the choice and its options in
//     one statement), so that an id already taken fails it whole.
//   - Dedupe: INSERT ... ON CONFLICT DO UPDATE ... WHERE expired: the
//     key is set only if it is free, and a row comes back only then.
//   - Accept: one transaction. The dedupe key first, alone (a duplicate
//     then touches nothing else, and rolls back); then, in one round
//     trip, the lane's row — claimed with a new token if free, else
//     locked — the item queued, marked begun if asked, the lane's items
//     handed out if claimed, and the message recorded.
//   - Claim: the lane's row taken with a new token if no live lease
//     holds it (a conditional upsert, which locks the row either way),
//     then its items handed out, in one transaction.
//   - Every write with a lease (Begin, Complete, Renew, AppendJournal,
//     EndJournal) checks the fencing token — lane, owner and token — in
//     the same statement as its write, locking the lane's row (FOR
//     SHARE, or FOR UPDATE where the lane changes) so that no claim can
//     take the lane before the write commits. A stale lease writes
//     nothing and fails with an error matching [bot.ErrConflict].
//   - Because every write to a lane's queue locks the lane's row first,
//     a Complete that finds the lane empty and releases it cannot miss
//     an item queued meanwhile: the Accept queuing it waits for the
//     release, then finds the lane free.
//   - AppendJournal: one INSERT that checks the lease and that the
//     entries continue the journal; two appends at one position cannot
//     both land (the primary key stops the second).
//
// Locks are taken in one order — dedupe key, lane, items, transcripts
// (several threads by name) — so that operations do not deadlock; should
// the server still report one (40P01), or a serialization failure
// (40001), the operation is run again, a few times.
//
// # Clocks
//
// The Store sets lease expiries and transcript times by the server's
// clock, and compares dedupe keys with it, so that replicas whose clocks
// differ agree. Lapsed and Purge's TranscriptsIdleBefore take the time
// they are given to the server's clock by its distance from this
// process's now.
//
// # Notes
//
// Publish is pg_notify on a channel named after the schema (see
// [Store.Channel]); a Store listens on it from its first Subscribe, on a
// connection outside its pool, and hands each note to every
// subscription in order. When that connection drops, it connects again
// at once, then after waits that double from 50ms to 5s; notes published
// while it is down are lost, which the bot's polling covers. A
// connection that falls silent is found by a check every 30 seconds.
//
// # Retention
//
// Nothing is deleted on its own: [Store.Purge], which the bot calls now
// and then, deletes expired dedupe keys and action ids, kept journals
// past their time, choices that ended before a time (with their
// options), and transcripts of threads idle since a time. Journals of
// runs that end with a zero keep are deleted at once, and a lane's row
// when it is released empty.
//
// # Migrations
//
// Open applies the migrations the schema lacks, in one transaction under
// a transaction-level advisory lock keyed by the schema's name: two
// processes opening one schema at once take turns, and the second finds
// the work done. Migrations only go forward; a schema at a version newer
// than this package knows is refused, with an error naming both.
//
// # Testing
//
// The package's tests need a server: they read PARLEY_TEST_POSTGRES_URL
// (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable) and
// skip when it cannot be reached, unless CI is set, when they fail. Each
// test works in a schema of its own, dropped when it ends.
package postgres
