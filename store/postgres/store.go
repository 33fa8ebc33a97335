package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleybot/parley/state"
)

// Options configure a Store. The zero Options are the defaults.
type Options struct {
	// Schema is the schema that holds the Store's tables, created on Open
	// if missing. Stores with different schemas in one database share
	// nothing, not even their notes. It must be a plain identifier:
	// letters, digits and underscores, not starting with a digit, at most
	// 63 bytes. Default "parley".
	Schema string
	// MaxConns caps the connections of the Store's pool, which serves
	// every call but the notes received: those have a connection of their
	// own. Default: pool_max_conns in the URL if set, else pgxpool's
	// default (4, or the number of CPUs if more).
	MaxConns int32
}

// DefaultSchema is the schema a Store uses when Options.Schema is empty.
const DefaultSchema = "parley"

// Store is a [state.Store] and a [state.Notifier] on a PostgreSQL database,
// shared by every process that opens the same database and schema. Its
// methods are safe for concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	connCfg *pgx.ConnConfig // for the connection that listens for notes
	schema  string
	channel string
	where   string // the server's host:port, for errors
	q       *queries

	notes *listener

	closeOnce sync.Once
	closed    chan struct{}
}

var (
	_ state.Store    = (*Store)(nil)
	_ state.Notifier = (*Store)(nil)
)

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Open connects to the database url names and readies the schema of
// opts: it creates the schema if missing and applies the migrations it
// lacks, under a lock so that processes opening it at once take turns. A
// schema written by a newer version of this package is refused.
//
// url is a PostgreSQL URL or key=value connection string, as pgx reads
// it (pool_max_conns and the other pool_ settings included); an empty url
// uses the PG* environment variables, as libpq does. ctx bounds the
// connecting and the migrations, not the Store's life.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	schema := opts.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	if !identRE.MatchString(schema) {
		return nil, fmt.Errorf("postgres: schema name %q: want letters, digits and underscores, not starting with a digit, at most 63 bytes", schema)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx masks the password in the URL it quotes.
		return nil, fmt.Errorf("postgres: the connection URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	s := &Store{
		connCfg: cfg.ConnConfig.Copy(),
		schema:  schema,
		channel: channelFor(schema),
		where:   serverAddr(cfg.ConnConfig),
		q:       newQueries(schema),
		closed:  make(chan struct{}),
	}
	s.notes = newListener(s)
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, s.connectErr(fmt.Sprintf("opening schema %q", schema), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the Store's notes and closes its connections. Calls after
// Close fail; subscriptions end. Close is idempotent and returns nil.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.notes.stop()
		s.pool.Close()
	})
	return nil
}

// Channel returns the name of the LISTEN/NOTIFY channel the Store's
// notes go by: derived from the schema, so that Stores on other schemas
// of the database do not hear them. `LISTEN "<channel>"` in psql shows
// them as they pass.
func (s *Store) Channel() string { return s.channel }

// channelFor derives the notes channel of a schema: readable when it
// fits an identifier, else shortened with a hash that keeps it apart.
func channelFor(schema string) string {
	c := "parley_notes_" + schema
	if len(c) <= 63 {
		return c
	}
	return fmt.Sprintf("parley_notes_%s_%016x", schema[:32], fnv64(schema))
}

// fnv64 is FNV-1a: a stable hash, for advisory lock keys and names.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := range len(s) {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// serverAddr names the server of a connection config as host:port, with
// its fallbacks; never the password.
func serverAddr(c *pgx.ConnConfig) string {
	addrs := []string{hostPort(c.Host, c.Port)}
	for _, f := range c.Fallbacks {
		if a := hostPort(f.Host, f.Port); !strings.Contains(strings.Join(addrs, ","), a) {
			addrs = append(addrs, a)
		}
	}
	return strings.Join(addrs, ",")
}

func hostPort(host string, port uint16) string {
	if strings.HasPrefix(host, "/") {
		return host // a Unix socket directory
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// connectErr says where a connection failed to go, and what for.
func (s *Store) connectErr(what string, err error) error {
	return fmt.Errorf("postgres: %s: cannot connect to the server at %s (database %q, user %q): %w",
		what, s.where, s.connCfg.Database, s.connCfg.User, err)
}

// opErr wraps an error of the server or the connection with what was
// being done, and where when the server could not be reached.
func (s *Store) opErr(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return s.connectErr(what, err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// Error codes of PostgreSQL the Store acts on.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// pgDetail returns the detail of a server error ("Key (id)=(x) already
// exists."), or "".
func pgDetail(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Detail
	}
	return ""
}

// maxAttempts bounds how often an operation that lost a deadlock (or a
// serialization failure) is tried.
const maxAttempts = 5

func retryable(err error) bool {
	c := pgCode(err)
	return c == codeDeadlockDetected || c == codeSerializationFailure
}

// retry runs op again when it lost a deadlock: the server rolled it back
// whole, so it is safe to try again.
func retry(ctx context.Context, op func() error) error {
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 5 * time.Millisecond):
		}
	}
}

// txn is one attempt at a transaction: the first batch sent begins it,
// in the same round trip.
type txn struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
}

// send sends b within the transaction, beginning it with b if it is the
// first. The results must be closed before the next send.
func (t *txn) send(b *pgx.Batch) pgx.BatchResults {
	if t.tx != nil {
		return t.tx.SendBatch(t.ctx, b)
	}
	first := &pgx.Batch{}
	first.BeginTx(pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	first.QueuedQueries = append(first.QueuedQueries, b.QueuedQueries...)
	br := t.s.pool.SendBatch(t.ctx, first)
	t.tx = br.Tx()
	if _, err := br.Exec(); err != nil { // BEGIN
		br.Close()
		return pgx.FailedBatchResults(b, err)
	}
	return br
}

// errRollback ends a transaction without an error of its own: fn's
// result is what it decided.
var errRollback = errors.New("postgres: roll back")

// tx runs fn in a READ COMMITTED transaction and commits it if fn
// returns nil; any other result rolls it back. A transaction that lost a
// deadlock is run again.
//
// READ COMMITTED is enough because every operation locks the rows it
// decides on (the lane, the choice, the dedupe key) before it reads what
// it decides by, and each statement after a lock sees what committed
// before it.
func (s *Store) tx(ctx context.Context, fn func(t *txn) error) error {
	return retry(ctx, func() error {
		t := &txn{s: s, ctx: ctx}
		err := fn(t)
		if t.tx == nil {
			return err
		}
		if err == nil {
			return t.tx.Commit(ctx)
		}
		// The rollback must run even when ctx has ended, or the
		// connection goes back to the pool mid-transaction (pgxpool then
		// closes it).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = t.tx.Rollback(rctx)
		return err
	})
}

// ms returns t as the Store keeps times: UTC milliseconds since the
// epoch.
func ms(t time.Time) int64 { return t.UnixMilli() }

// msOrNull returns t in milliseconds, or NULL for the zero time (never).
func msOrNull(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

// fromMS returns a time the Store kept, in UTC.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// fromMSOrNull returns a nullable time the Store kept; NULL is the zero
// time.
func fromMSOrNull(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMS(*v)
}

// limitArg returns a LIMIT parameter: NULL, no limit, for n <= 0.
func limitArg(n int) *int64 {
	if n <= 0 {
		return nil
	}
	v := int64(n)
	return &v
}

// skewArg returns how far t, a time by this process's clock, lies from
// now, in milliseconds: added to the server's clock in SQL ({now} + $n),
// it is t by the server's clock, whatever the two clocks' difference.
func skewArg(t time.Time) int64 { return t.UnixMilli() - time.Now().UnixMilli() }

// strs returns ids as a text[] parameter: never NULL, which = ANY would
// read as unknown.
func strs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
