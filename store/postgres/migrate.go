package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations are the schema's versions: migrations[i] takes a schema at
// version i to version i+1. They are forward-only and never edited once
// released; a change is a new one at the end. {s} stands for the schema.
//
// Times are bigint milliseconds since the epoch, UTC; values are json
// (text: exact, and it takes every string encoding/json writes, which
// jsonb does not: "\u0000").
var migrations = []string{
	// 1: the Store as first released.
	`
CREATE TABLE {s}.choices (
	id       text PRIMARY KEY,
	run      text,            -- NULL for a choice asked outside a run
	created  bigint NOT NULL,
	deadline bigint,          -- NULL: never expires
	state    smallint NOT NULL DEFAULT 0, -- bot.ChoiceState; 0 pending
	ended    bigint,          -- the outcome's time, once ended
	data     json NOT NULL,   -- the bot.ChoiceRecord, without Message and Outcome
	message  json,            -- bot.MessageRef of the card, once posted
	outcome  json             -- bot.Outcome, once ended
);
CREATE INDEX choices_run ON {s}.choices (run, created, id) WHERE run IS NOT NULL;
CREATE INDEX choices_deadline ON {s}.choices (deadline, id) WHERE state = 0 AND deadline IS NOT NULL;
CREATE INDEX choices_ended ON {s}.choices (ended) WHERE state <> 0;

-- Action ids: bound to handlers (data), or options of a choice (choice,
-- option), which the choice's record describes.
CREATE TABLE {s}.actions (
	id      text PRIMARY KEY,
	choice  text REFERENCES {s}.choices (id) ON DELETE CASCADE,
	option  int,
	expires bigint,           -- NULL: never
	data    json              -- the bot.ActionRecord; NULL for an option
);
CREATE INDEX actions_choice ON {s}.actions (choice) WHERE choice IS NOT NULL;
CREATE INDEX actions_expires ON {s}.actions (expires) WHERE expires IS NOT NULL;

CREATE TABLE {s}.dedupe (
	key     text PRIMARY KEY,
	expires bigint NOT NULL
);
CREATE INDEX dedupe_expires ON {s}.dedupe (expires);

-- Lanes with a lease or with queued items. Every write to a lane's queue
-- locks its row first, so that the row serializes them.
CREATE SEQUENCE {s}.tokens;
CREATE TABLE {s}.lanes (
	lane    text PRIMARY KEY,
	owner   text,             -- NULL: free
	token   bigint NOT NULL DEFAULT 0, -- from {s}.tokens, growing with every holder
	expires bigint
);

CREATE TABLE {s}.items (
	lane      text NOT NULL,
	seq       bigint GENERATED ALWAYS AS IDENTITY, -- the order accepted
	id        text NOT NULL,
	begun     int NOT NULL DEFAULT 0,    -- leases that began it
	began_by  bigint NOT NULL DEFAULT 0, -- the token of the last
	handed_to bigint NOT NULL DEFAULT 0, -- the token it was last handed out with
	data      json NOT NULL,             -- the bot.WorkItem
	PRIMARY KEY (lane, seq)
);

CREATE TABLE {s}.journal (
	run   text NOT NULL,
	seq   int NOT NULL,
	entry json NOT NULL,      -- the bot.JournalEntry
	PRIMARY KEY (run, seq)
);
-- Journals of finished runs kept until a time.
CREATE TABLE {s}.journal_keep (
	run  text PRIMARY KEY,
	keep bigint NOT NULL
);
CREATE INDEX journal_keep_keep ON {s}.journal_keep (keep);

CREATE TABLE {s}.threads (
	thread  text PRIMARY KEY,
	touched bigint NOT NULL   -- last written, by the server's clock
);
CREATE INDEX threads_touched ON {s}.threads (touched);
CREATE TABLE {s}.messages (
	thread text NOT NULL,
	pos    bigint GENERATED ALWAYS AS IDENTITY, -- the order recorded
	id     text,              -- NULL for a message without an id
	data   json NOT NULL,     -- the bot.Message
	PRIMARY KEY (thread, pos),
	UNIQUE (thread, id)
);
`,
}

// migrate creates the schema if missing and applies the migrations it
// lacks, in one transaction under an advisory lock of the schema's own:
// two processes opening it at once take turns, and the second finds it
// done. DDL is transactional in PostgreSQL, so a failed migration leaves
// the schema as it was.
func (s *Store) migrate(ctx context.Context) error {
	err := s.migrateTx(ctx)
	var ve *versionError
	if err == nil || errors.As(err, &ve) {
		return err
	}
	return s.opErr(err, "opening schema %q", s.schema)
}

// versionError refuses a schema newer than this package.
type versionError struct {
	schema      string
	found, know int
}

func (e *versionError) Error() string {
	return fmt.Sprintf("postgres: schema %q is at version %d, written by a newer version of Parley; this one knows versions up to %d: upgrade it to use this schema",
		e.schema, e.found, e.know)
}

func (s *Store) migrateTx(ctx context.Context) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(fnv64("parley migrate "+s.schema))); err != nil {
		return err
	}
	// Look before creating: CREATE ... IF NOT EXISTS needs the privilege
	// to create even when there is nothing to do.
	var hasTable bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, s.q.ident+".schema_version").Scan(&hasTable); err != nil {
		return err
	}
	version := 0
	if hasTable {
		if err := tx.QueryRow(ctx, s.q.r(`SELECT version FROM {s}.schema_version`)).Scan(&version); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	} else {
		var hasSchema bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&hasSchema); err != nil {
			return err
		}
		if !hasSchema {
			if _, err := tx.Exec(ctx, s.q.r(`CREATE SCHEMA {s}`)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, s.q.r(`CREATE TABLE {s}.schema_version (
			one     boolean PRIMARY KEY DEFAULT true CHECK (one),
			version int NOT NULL
		)`)); err != nil {
			return err
		}
	}
	if version > len(migrations) {
		return &versionError{schema: s.schema, found: version, know: len(migrations)}
	}
	if version == len(migrations) {
		return tx.Commit(ctx)
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.Exec(ctx, s.q.r(migrations[i])); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(ctx, s.q.r(`INSERT INTO {s}.schema_version (version) VALUES ($1)
		ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version`), len(migrations)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
