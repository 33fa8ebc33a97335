package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleybot/parley/state"
)

// Options tunes a Store. The zero value is the default for every field.
type Options struct {
	// BusyTimeout is how long a write waits for the write of another
	// process sharing the file before it fails as busy. Writes of this
	// process wait their turn without it (see the package docs).
	// Default: 5 s.
	BusyTimeout time.Duration
	// MaxConns bounds the connections the Store keeps open on the file.
	// Reads run side by side on them while one writes (WAL lets readers
	// go on during a write). Default: 4, or GOMAXPROCS when larger.
	MaxConns int
	// PollInterval is how often a Store with subscribers reads the notes
	// other processes published (see [Store.Subscribe]). Default: 200 ms.
	PollInterval time.Duration
	// NoteRetention is how long a published note stays in the file for
	// the other processes to read; a process that does not poll for
	// longer misses it. Default: 1 minute.
	NoteRetention time.Duration
	// RelaxedSync trades durability against a power loss for speed: the
	// write-ahead log is synced at checkpoints only (synchronous=NORMAL),
	// not at each commit. A crash of the process loses nothing either
	// way; a crash of the machine may lose the last transactions with it.
	// Default: false, every commit is synced (synchronous=FULL).
	RelaxedSync bool
}

// The defaults of Options.
const (
	defaultBusyTimeout   = 5 * time.Second
	defaultMaxConns      = 4
	defaultPollInterval  = 200 * time.Millisecond
	defaultNoteRetention = time.Minute
)

// check reports the first field of o that holds an impossible value.
func (o Options) check() error {
	switch {
	case o.BusyTimeout < 0:
		return fmt.Errorf("sqlite: Options.BusyTimeout is negative: %v", o.BusyTimeout)
	case o.MaxConns < 0:
		return fmt.Errorf("sqlite: Options.MaxConns is negative: %d", o.MaxConns)
	case o.PollInterval < 0:
		return fmt.Errorf("sqlite: Options.PollInterval is negative: %v", o.PollInterval)
	case o.NoteRetention < 0:
		return fmt.Errorf("sqlite: Options.NoteRetention is negative: %v", o.NoteRetention)
	}
	return nil
}

// withDefaults returns o with each zero field set to its default.
func (o Options) withDefaults() Options {
	if o.BusyTimeout == 0 {
		o.BusyTimeout = defaultBusyTimeout
	}
	if o.MaxConns == 0 {
		o.MaxConns = max(defaultMaxConns, runtime.GOMAXPROCS(0))
	}
	if o.PollInterval == 0 {
		o.PollInterval = defaultPollInterval
	}
	if o.NoteRetention == 0 {
		o.NoteRetention = defaultNoteRetention
	}
	return o
}

// Store is a [state.Store] and a [state.Notifier] kept in one SQLite file.
// Every method is safe for concurrent use, also by other processes that
// have the same file open.
type Store struct {
	db   *sql.DB
	path string // absolute, symbolic links in its directory resolved
	hub  *hub
	opts Options

	// Subscriptions through this handle, and the poller that brings them
	// the notes of other processes; guarded by hub.mu.
	subs    map[*subscription]struct{}
	polling bool
	cursor  int64 // the id of the last note the poller read

	done      chan struct{} // closed by Close
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var (
	_ state.Store    = (*Store)(nil)
	_ state.Notifier = (*Store)(nil)
)

// ErrNewerSchema is matched by the error of [Open] on a database whose
// schema a newer version of this package wrote: this code does not know
// its tables, and refuses it rather than misread it.
var ErrNewerSchema = errors.New("sqlite: the database schema is newer than this code")

// Open opens the Store in the SQLite file at path, creating the file if
// it does not exist, and brings its schema up to date (see the package
// docs). The directory must exist. Several Stores, in one process or in
// several, may have one file open at once: they share its data, as the
// replicas of a bot do.
//
// An error names the path and what is wrong: a directory that is missing
// or not writable, a file that is not a SQLite database, a database a
// newer version wrote (matching [ErrNewerSchema]).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if path == "" {
		return nil, errors.New("sqlite: open: the path is empty")
	}
	abs, err := canonPath(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(abs, opts))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	s := &Store{
		db:   db,
		path: abs,
		hub:  acquireHub(abs),
		opts: opts,
		subs: map[*subscription]struct{}{},
		done: make(chan struct{}),
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, openError(abs, err)
	}
	return s, nil
}

// canonPath returns path made absolute and clean, with the symbolic links
// of its directory resolved, so that every handle on one file in this
// process finds the same hub; it checks that the directory is there.
func canonPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	dir, base := filepath.Dir(abs), filepath.Base(abs)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return "", fmt.Errorf("sqlite: open %s: the directory cannot be used: %w", abs, err)
	case !fi.IsDir():
		return "", fmt.Errorf("sqlite: open %s: %s is not a directory", abs, dir)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		abs = filepath.Join(real, base)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return "", fmt.Errorf("sqlite: open %s: it is a directory, not a database file", abs)
	}
	// SQLite opens a file it may not write read-only, without a word, and
	// would fail only at the first write.
	f, err := os.OpenFile(abs, os.O_RDWR, 0)
	switch {
	case err == nil:
		f.Close()
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("sqlite: open %s: the file is not writable: %w", abs, err)
	}
	return abs, nil
}

// dsn returns the driver's name for the file at abs: a file: URI, so that
// any character of the path is kept, with the pragmas every connection
// runs when it opens.
func dsn(abs string, o Options) string {
	syncMode := "FULL"
	if o.RelaxedSync {
		syncMode = "NORMAL"
	}
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", syncMode)
	q.Set("_foreign_keys", "1")
	// Every transaction writes: taking the write lock at BEGIN means two
	// processes never both read, then deadlock upgrading to write.
	q.Set("_txlock", "immediate")
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a volume name: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// openError explains a failure to open the file at abs.
func openError(abs string, err error) error {
	if errors.Is(err, ErrNewerSchema) {
		return fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		var why string
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			why = "the file is not a SQLite database"
		case sqlite3.SQLITE_CORRUPT:
			why = "the database file is corrupt"
		case sqlite3.SQLITE_CANTOPEN:
			why = "the file cannot be opened or created: are it and its directory writable?"
		case sqlite3.SQLITE_READONLY:
			why = "the database is read-only: are the file and its directory writable?"
		case sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
			why = "permission denied"
		case sqlite3.SQLITE_FULL:
			why = "the disk is full"
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			why = "another process holds the database locked"
		case sqlite3.SQLITE_IOERR:
			why = "an I/O error"
		}
		if why != "" {
			return fmt.Errorf("sqlite: open %s: %s: %w", abs, why, err)
		}
	}
	return fmt.Errorf("sqlite: open %s: %w", abs, err)
}

// Path returns the absolute path of the Store's file.
func (s *Store) Path() string { return s.path }

// Close ends the Store's subscriptions and closes its connections. The
// file stays as it is, for the next Open. Calling Close again does
// nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.hub.mu.Lock()
		for sub := range s.subs {
			delete(s.hub.subs, sub)
		}
		s.hub.mu.Unlock()
		s.wg.Wait()
		s.closeErr = s.db.Close()
		releaseHub(s.hub)
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("sqlite: close %s: %w", s.path, s.closeErr)
		}
	})
	return s.closeErr
}

// hub is what every Store open on one file in this process shares: the
// turn to write, and the subscribers to notes.
type hub struct {
	key  string
	refs int // guarded by hubsMu

	// write is held by the one write transaction of this process at a
	// time: its other writers queue here, in turn, rather than poll
	// SQLite's lock.
	write chan struct{}

	// origin marks the notes this process publishes, so that its pollers
	// pass them over: they were delivered here at once.
	origin int64

	mu        sync.Mutex
	subs      map[*subscription]struct{}
	lastPrune time.Time // of the notes table; guarded by write
}

var (
	hubsMu sync.Mutex
	hubs   = map[string]*hub{}
)

// acquireHub returns the hub of the file at key, made if need be.
func acquireHub(key string) *hub {
	hubsMu.Lock()
	defer hubsMu.Unlock()
	h := hubs[key]
	if h == nil {
		h = &hub{key: key, write: make(chan struct{}, 1), origin: newOrigin(), subs: map[*subscription]struct{}{}}
		hubs[key] = h
	}
	h.refs++
	return h
}

// releaseHub lets go of a hub acquired, forgetting it when no Store has
// its file open any more.
func releaseHub(h *hub) {
	hubsMu.Lock()
	defer hubsMu.Unlock()
	if h.refs--; h.refs == 0 && hubs[h.key] == h {
		delete(hubs, h.key)
	}
}

// write runs fn in a write transaction (see inTx), prefixing its errors
// with what.
func (s *Store) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if err := s.inTx(ctx, fn); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// inTx runs fn in a write transaction: it waits for this process's turn
// to write, then begins the transaction, which takes the file's write
// lock (BEGIN IMMEDIATE) or waits for it up to the busy timeout. An error
// of fn rolls the transaction back.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.hub.write <- struct{}{}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	defer func() { <-s.hub.write }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ms returns t as it is stored: Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS returns the time stored as Unix milliseconds, in UTC.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
