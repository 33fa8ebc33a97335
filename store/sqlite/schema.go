package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema's versions: migrations[i] takes a database
// from version i to version i+1. They only ever go forward, and a
// migration once released is never changed: a change of schema is a new
// migration at the end.
var migrations = []string{
	// Version 1. Times are Unix milliseconds, UTC. Records the bot only
	// stores and reads back whole are JSON (encoding/json of the bot's
	// types); the columns beside them are what queries select and order
	// by.
	`
CREATE TABLE choices (
	id       TEXT PRIMARY KEY,
	run      TEXT,              -- NULL for a choice outside a run
	created  INTEGER NOT NULL,
	deadline INTEGER,           -- NULL for none
	state    INTEGER NOT NULL,  -- bot.ChoiceState: 0 is pending
	ended    INTEGER,           -- the outcome's time, once resolved
	data     BLOB NOT NULL      -- the bot.ChoiceRecord
) WITHOUT ROWID;
CREATE INDEX choices_run ON choices (run, created, id) WHERE run IS NOT NULL;
CREATE INDEX choices_deadline ON choices (deadline, id) WHERE state = 0 AND deadline IS NOT NULL;
CREATE INDEX choices_ended ON choices (ended) WHERE state <> 0;

-- Action ids: those bound to handlers carry their record in data; the
-- options of a choice point into it, and go with it.
CREATE TABLE actions (
	id      TEXT PRIMARY KEY,
	choice  TEXT REFERENCES choices (id) ON DELETE CASCADE,
	opt     INTEGER NOT NULL DEFAULT 0,
	expires INTEGER,            -- NULL for never
	data    BLOB                -- the bot.ActionRecord; NULL for an option
) WITHOUT ROWID;
CREATE INDEX actions_choice ON actions (choice) WHERE choice IS NOT NULL;
CREATE INDEX actions_expires ON actions (expires) WHERE expires IS NOT NULL;

CREATE TABLE dedupe (
	key     TEXT PRIMARY KEY,
	expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dedupe_expires ON dedupe (expires);

-- The last fencing token given out, in any lane: tokens grow across
-- lanes and across a lane's row being deleted and made again.
CREATE TABLE fence (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	token INTEGER NOT NULL
);
INSERT INTO fence (id, token) VALUES (1, 0);

-- The lease of each held lane; a lane released has no row.
CREATE TABLE lanes (
	lane    TEXT PRIMARY KEY,
	owner   TEXT NOT NULL,
	token   INTEGER NOT NULL,
	expires INTEGER NOT NULL
) WITHOUT ROWID;

-- Queued work, in the order accepted (seq) within each lane.
CREATE TABLE items (
	seq       INTEGER PRIMARY KEY,
	lane      TEXT NOT NULL,
	id        TEXT NOT NULL,
	begun     INTEGER NOT NULL DEFAULT 0, -- leases that began it
	began_by  INTEGER NOT NULL DEFAULT 0, -- the token of the last of them
	handed_to INTEGER NOT NULL DEFAULT 0, -- the token it was last handed out with
	data      BLOB NOT NULL               -- the bot.WorkItem
);
CREATE INDEX items_lane ON items (lane, seq);

CREATE TABLE journals (
	run        TEXT PRIMARY KEY,
	length     INTEGER NOT NULL,
	keep_until INTEGER            -- set when the run ended and its journal is kept
) WITHOUT ROWID;
CREATE INDEX journals_keep ON journals (keep_until) WHERE keep_until IS NOT NULL;
CREATE TABLE journal_entries (
	run  TEXT NOT NULL REFERENCES journals (run) ON DELETE CASCADE,
	seq  INTEGER NOT NULL,
	data BLOB NOT NULL,           -- the bot.JournalEntry
	PRIMARY KEY (run, seq)
) WITHOUT ROWID;

CREATE TABLE threads (
	thread  TEXT PRIMARY KEY,
	touched INTEGER NOT NULL      -- when a message was last recorded
) WITHOUT ROWID;
CREATE INDEX threads_touched ON threads (touched);
CREATE TABLE messages (
	seq    INTEGER PRIMARY KEY,   -- the order recorded
	thread TEXT NOT NULL REFERENCES threads (thread) ON DELETE CASCADE,
	id     TEXT NOT NULL,
	data   BLOB NOT NULL          -- the bot.Message
);
CREATE INDEX messages_thread ON messages (thread, seq);
CREATE UNIQUE INDEX messages_id ON messages (thread, id) WHERE id <> '';

-- Notes for the other processes on the file (see Subscribe). AUTOINCREMENT
-- keeps ids from being used again after old notes are deleted.
CREATE TABLE notes (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	origin INTEGER NOT NULL,
	at     INTEGER NOT NULL,
	note   TEXT NOT NULL
);
`,
}

// SchemaVersion is the version of the schema this package writes: the
// number of its migrations.
const SchemaVersion = 1

func init() {
	if len(migrations) != SchemaVersion {
		panic("sqlite: SchemaVersion is not the number of migrations")
	}
}

// migrate brings the file's schema up to date, in one write transaction:
// of two processes opening a new file at once, one applies the
// migrations and the other, waiting for the write lock, finds them
// applied.
func (s *Store) migrate(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return applyMigrations(ctx, tx, migrations)
	})
}

// applyMigrations applies to the database of tx those of list that its
// schema_version table does not record as applied. A database whose
// version is above len(list) is refused with an error matching
// ErrNewerSchema.
func applyMigrations(ctx context.Context, tx *sql.Tx, list []string) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY,
		applied INTEGER NOT NULL
	)`); err != nil {
		return err
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if v > len(list) {
		return fmt.Errorf("%w: the database is at version %d, this code knows versions up to %d: open it with a newer version of Parley", ErrNewerSchema, v, len(list))
	}
	for ; v < len(list); v++ {
		if _, err := tx.ExecContext(ctx, list[v]); err != nil {
			return fmt.Errorf("migrating to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied) VALUES (?, ?)`, v+1, ms(time.Now())); err != nil {
			return fmt.Errorf("migrating to version %d: %w", v+1, err)
		}
	}
	return nil
}
