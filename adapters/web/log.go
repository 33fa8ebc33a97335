package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// record is one message as the page shows it: a person's, or the bot's
// (posted, streamed, edited, a file, a private notice).
type record struct {
	ID   string    `json:"id"`
	Conv string    `json:"conv"`
	Time time.Time `json:"time"`
	// From is who wrote it; empty for the bot.
	From     string `json:"from,omitempty"`
	FromName string `json:"fromName,omitempty"`
	// To is the one person a private message is shown to.
	To string `json:"to,omitempty"`
	// Text is the message as plain text (history, the sidebar, tests).
	Text string `json:"text"`
	// HTML is the message rendered by render/html; a person's message is
	// text only and has none.
	HTML      string   `json:"html,omitempty"`
	Reactions []string `json:"reactions,omitempty"`
	File      *fileRef `json:"file,omitempty"`
	// Streaming is set while the text is still arriving.
	Streaming bool `json:"streaming,omitempty"`
}

// fileRef is an uploaded file; its bytes are in the log's files directory.
type fileRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
}

// conversation is one entry of the sidebar.
type conversation struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Time  time.Time `json:"time"` // of the latest message
}

// entry is one line of the log file: a conversation or a message as it
// stands now; a later line for the same id replaces an earlier one, a
// line with Removed drops the message, and one with RemovedConv the
// conversation.
type entry struct {
	Conv        *conversation `json:"c,omitempty"`
	Msg         *record       `json:"m,omitempty"`
	Removed     string        `json:"rm,omitempty"`
	RemovedConv string        `json:"rmc,omitempty"`
}

// key names what e is about, for counting the live state's size.
func (e entry) key() string {
	switch {
	case e.Conv != nil:
		return "c:" + e.Conv.ID
	case e.Msg != nil:
		return "m:" + e.Msg.ID
	case e.Removed != "":
		return "m:" + e.Removed
	default:
		return "c:" + e.RemovedConv
	}
}

// book holds every conversation and message the page shows, kept in
// memory and appended to a JSON-lines file in Config.Dir so that a reload
// or a restart shows the same page.
type book struct {
	mu    sync.Mutex
	dir   string
	f     *os.File
	convs map[string]*conversation
	msgs  map[string]*record
	order map[string][]string // message ids by conversation, oldest first

	// size is the log file's length; lines holds the length of the line
	// that stands for each conversation and message ("c:ID", "m:ID"),
	// and live their sum: what the file would be if it were rewritten.
	size  int64
	lines map[string]int64
	live  int64
	// syncs counts the log's fsyncs (tests).
	syncs int
}

const logName = "conversations.jsonl"

// openBook reads the log in dir, creating dir if need be.
func openBook(dir string, log *slog.Logger) (*book, error) {
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o700); err != nil {
		return nil, fmt.Errorf("web: Config.Dir: %w", err)
	}
	b := &book{dir: dir, convs: map[string]*conversation{}, msgs: map[string]*record{}, order: map[string][]string{}, lines: map[string]int64{}}
	path := filepath.Join(dir, logName)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("web: reading %s: %w", path, err)
	}
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			// A line cut short by a crash: the rest is still good.
			log.Warn("web: skipping a damaged line of the conversation log", "file", path, "line", n+1, "err", err)
			continue
		}
		b.apply(e, int64(len(line)+1))
	}
	b.size = int64(len(data))
	if b.size > 2*b.live {
		// Rewritten whole: every update of a card is a line of its own.
		return b, b.compact()
	}
	if b.f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return nil, fmt.Errorf("web: opening %s: %w", path, err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.f.WriteString("\n") // end a line a crash cut short
		b.size++
	}
	return b, nil
}

// compactAt is the size below which the log is never rewritten while
// the page runs; above it, it is rewritten when it is more than
// compactRatio times its live state.
const (
	compactAt    = 4 << 10
	compactRatio = 4
)

// compact rewrites the log as its live state: it writes the current
// conversations and messages to a temporary file, syncs it, and renames
// it over the log, so that a crash leaves the old log or the new one,
// never a part. b.mu must be held (or b not yet shared).
func (b *book) compact() error {
	path := filepath.Join(b.dir, logName)
	tmp := path + ".tmp"
	var buf bytes.Buffer
	lines := map[string]int64{}
	add := func(e entry) error {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		buf.Write(append(line, '\n'))
		lines[e.key()] = int64(len(line) + 1)
		return nil
	}
	convs := slices.Sorted(maps.Keys(b.convs))
	for _, id := range convs {
		if err := add(entry{Conv: b.convs[id]}); err != nil {
			return err
		}
	}
	for _, id := range convs {
		for _, m := range b.order[id] {
			if err := add(entry{Msg: b.msgs[m]}); err != nil {
				return err
			}
		}
	}
	if err := writeSynced(tmp, buf.Bytes()); err != nil {
		return fmt.Errorf("web: compacting the conversation log: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("web: compacting the conversation log: %w", err)
	}
	if d, err := os.Open(b.dir); err == nil {
		d.Sync() // the rename itself
		d.Close()
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("web: opening %s: %w", path, err)
	}
	if b.f != nil {
		b.f.Close()
	}
	b.f, b.lines, b.size, b.live = f, lines, int64(buf.Len()), int64(buf.Len())
	return nil
}

// writeSynced writes data to a new file at path and syncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// apply changes the book by e, whose line in the log is n bytes long;
// b.mu must be held (or b not yet shared).
func (b *book) apply(e entry, n int64) {
	k := e.key()
	b.live -= b.lines[k]
	delete(b.lines, k)
	if e.Conv != nil || e.Msg != nil {
		b.lines[k] = n
		b.live += n
	}
	switch {
	case e.Conv != nil:
		c := *e.Conv
		b.convs[c.ID] = &c
	case e.Msg != nil:
		m := *e.Msg
		if _, ok := b.msgs[m.ID]; !ok {
			b.order[m.Conv] = append(b.order[m.Conv], m.ID)
		}
		b.msgs[m.ID] = &m
	case e.Removed != "":
		if m, ok := b.msgs[e.Removed]; ok {
			delete(b.msgs, e.Removed)
			b.order[m.Conv] = slices.DeleteFunc(b.order[m.Conv], func(id string) bool { return id == e.Removed })
		}
	case e.RemovedConv != "":
		delete(b.convs, e.RemovedConv)
		for _, id := range b.order[e.RemovedConv] {
			delete(b.msgs, id)
			b.live -= b.lines["m:"+id]
			delete(b.lines, "m:"+id)
		}
		delete(b.order, e.RemovedConv)
	}
}

// write applies e and appends it to the log, rewriting the log when it
// has grown to compactRatio times its live state; b.mu must be held.
func (b *book) write(e entry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	b.apply(e, int64(len(line)+1))
	if _, err := b.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("web: writing the conversation log: %w", err)
	}
	b.size += int64(len(line) + 1)
	if b.size > compactAt && b.size > compactRatio*b.live {
		return b.compact()
	}
	return nil
}

// put records m, creating or touching its conversation; b.mu must be
// held. A person's first message names the conversation.
func (b *book) put(m record) error {
	c := conversation{ID: m.Conv, Title: untitled}
	old, changed := b.convs[m.Conv], false
	if old != nil {
		c = *old
	} else {
		changed = true
	}
	if c.Title == untitled && m.From != "" {
		c.Title, changed = title(m.Text), true
	}
	if c.Time.Before(m.Time) {
		c.Time, changed = m.Time, true
	}
	if changed {
		if err := b.write(entry{Conv: &c}); err != nil {
			return err
		}
	}
	return b.write(entry{Msg: &m})
}

// untitled is a conversation's title until a person writes in it.
const untitled = "New conversation"

// title names a conversation after its first words.
func title(text string) string {
	r := []rune(text)
	if len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return text
}

// saveFile writes data under the files directory.
func (b *book) saveFile(id string, data []byte) error {
	if err := os.WriteFile(filepath.Join(b.dir, "files", id), data, 0o600); err != nil {
		return fmt.Errorf("web: saving the file: %w", err)
	}
	return nil
}

// file returns a file's reference and bytes.
func (b *book) file(id string) (fileRef, []byte, bool) {
	b.mu.Lock()
	var ref *fileRef
	for _, m := range b.msgs {
		if m.File != nil && m.File.ID == id {
			ref = m.File
			break
		}
	}
	b.mu.Unlock()
	if ref == nil {
		return fileRef{}, nil, false
	}
	data, err := os.ReadFile(filepath.Join(b.dir, "files", id))
	if err != nil {
		return fileRef{}, nil, false
	}
	return *ref, data, true
}

// conversations lists the conversations, latest first.
func (b *book) conversations() []conversation {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]conversation, 0, len(b.convs))
	for _, c := range b.convs {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(x, y conversation) int {
		if c := y.Time.Compare(x.Time); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}

// messages returns the conversation's messages that as may see, oldest
// first: everyone's, and the private ones to as.
func (b *book) messages(conv, as string) []record {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.messagesLocked(conv, as)
}

// messagesLocked is messages, for a caller holding b.mu.
func (b *book) messagesLocked(conv, as string) []record {
	var out []record
	for _, id := range b.order[conv] {
		m := b.msgs[id]
		if m.To == "" || m.To == as {
			out = append(out, *m)
		}
	}
	return out
}

func (b *book) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.f.Close()
}

// flush makes the log durable; b.mu must be held. Called after a
// person's message is shown and before the bot is told of it: it must
// survive a crash as the bot's Store does.
func (b *book) flush() error {
	b.syncs++
	if err := b.f.Sync(); err != nil {
		return fmt.Errorf("web: syncing the conversation log: %w", err)
	}
	return nil
}
