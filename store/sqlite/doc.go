// Package sqlite is a [bot.Store] and a [bot.Notifier] kept in one SQLite
// file, on modernc.org/sqlite: pure Go, no cgo, nothing to install. It is
// the embedded store of a bot that runs on one machine; processes on that
// machine that open the same file share its state as replicas do. For
// replicas on several machines, use store/postgres.
//
//	s, err := sqlite.Open(ctx, "parley.db", sqlite.Options{})
//	...
//	defer s.Close()
//	b, err := bot.New(bot.Config{Store: s, ...})
//
// # Opening
//
// [Open] creates the file if need be (its directory must exist) and
// brings its schema up to date. The schema is versioned: the table
// schema_version records each migration applied, and Open applies those
// missing, in order, in one write transaction, so that of several
// processes opening a new file at once exactly one migrates it.
// Migrations only go forward; a file that a newer version of this package
// migrated further is refused with an error naming both versions
// (matching [ErrNewerSchema]) rather than misread. Open fails with an
// error naming the path when the file cannot be used: its directory is
// missing, it or its directory is not writable, it is not a SQLite
// database.
//
// # Transactions
//
// The file is in WAL mode: reads go on while a transaction writes, and
// never wait for one. Every read is a single statement, which sees one
// snapshot of the file. Every write is one transaction begun with BEGIN
// IMMEDIATE, which takes the file's write lock at once: no transaction
// reads under a shared lock and then waits to upgrade it, which is how
// two SQLite writers deadlock. The Stores of one process open on one file
// take turns to write through a lock they share, and so queue in order
// instead of polling SQLite's lock; a write of another process is waited
// for up to [Options.BusyTimeout]. Each commit is synced to disk, unless
// [Options.RelaxedSync].
//
// So each method is atomic, across processes too:
//
//   - Resolve reads the choice and records the outcome in one write
//     transaction: of any number of concurrent calls for one choice, the
//     first to take the write lock finds it pending and wins; the others
//     find it resolved and return the winner's outcome. A choice already
//     resolved is answered by a read alone.
//   - Accept sets the dedupe key (an upsert that takes the key only if it
//     expired), adds the message to the transcript, queues the item and
//     claims its lane in one transaction: a duplicate records nothing.
//   - A lease is a row of the lanes table: owner, fencing token, expiry
//     (this machine's clock). Tokens come from one counter, the fence
//     table, so they grow with every new holder of any lane, also after a
//     lane's row was deleted on release. Every write made with a lease
//     (Begin, Complete, Renew, AppendJournal, EndJournal) first checks,
//     in its transaction, that the lane's row still has the lease's owner
//     and token; when another claim took the lane it fails with an error
//     matching [bot.ErrConflict] and writes nothing. A lease that expired
//     keeps its row until another claim takes it, so its writes succeed
//     until then.
//   - AppendJournal checks the lease and the journal's length and adds
//     the entries in one transaction: two writers never both extend one
//     journal.
//
// # Schema
//
// Times are Unix milliseconds, UTC. What the bot stores and reads back
// whole — a choice, an action record, a work item, a message, a journal
// entry — is JSON (encoding/json of the bot's types); the columns beside
// it are those the queries select and order by.
//
//   - choices: a choice with its run, creation time, deadline, state and
//     end; actions: action ids, those bound to a handler with their
//     record, and the options of choices, which point into their choice
//     and are deleted with it.
//   - dedupe: event keys and when each expires.
//   - fence, lanes, items: the fencing token counter, the lease of each
//     held lane, and the queued work of every lane, in the order accepted,
//     with how many leases began each item.
//   - journals, journal_entries: run journals, and how long a finished
//     one is kept.
//   - threads, messages: transcripts, and when each thread last had a
//     message recorded.
//   - notes: notes for other processes (see below).
//
// # Notes
//
// [Store.Publish] delivers a note at once to every subscriber in this
// process, through any Store open on the file, and writes it to the notes
// table; a Store with subscribers polls that table every
// [Options.PollInterval] for the notes of other processes. Each note is
// marked with the process that wrote it, so that a subscriber receives it
// once: at once if it is from this process, by polling if not. Notes are
// deleted after [Options.NoteRetention]; they are wake-ups, and a bot that
// misses one finds the work by polling the Store.
//
// # Retention
//
// [Store.Purge] deletes dedupe keys, kept journals and action ids whose
// time has come, choices that ended before a time (with their options),
// and the transcripts of threads idle since a time, in one transaction.
// Work done, released lanes and journals ended without a keep time are
// deleted as they end. Nothing else bounds the file: the bot calls Purge.
//
// A json.RawMessage that is nil where the bot's types have no omitempty
// (ActionRecord.Value, OptionRecord.Value, ActionEvent.Value) comes back
// as JSON null.
package sqlite
