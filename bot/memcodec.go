package bot

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"
)

// The MemoryStore keeps choices and journal entries encoded, compactly: a
// parked choice should cost little memory. Strings go as a length and
// their bytes, numbers as varints, times as Unix nanoseconds (0 for the
// zero time).

type memEnc []byte

func (e *memEnc) str(s string) {
	*e = binary.AppendUvarint(*e, uint64(len(s)))
	*e = append(*e, s...)
}

func (e *memEnc) num(n int64) { *e = binary.AppendVarint(*e, n) }

func (e *memEnc) time(t time.Time) {
	if t.IsZero() {
		e.num(0)
		return
	}
	e.num(t.UnixNano())
}

func (e *memEnc) addr(a Address) {
	e.str(a.Platform)
	e.str(a.Workspace)
	e.str(a.Channel)
	e.str(a.Thread)
}

func (e *memEnc) user(u User) {
	e.str(u.ID)
	e.str(u.Name)
	if u.IsBot {
		e.num(1)
	} else {
		e.num(0)
	}
}

type memDec []byte

func (d *memDec) str() string {
	n, k := binary.Uvarint(*d)
	s := string((*d)[k : k+int(n)])
	*d = (*d)[k+int(n):]
	return s
}

func (d *memDec) raw() json.RawMessage {
	s := d.str()
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func (d *memDec) num() int64 {
	n, k := binary.Varint(*d)
	*d = (*d)[k:]
	return n
}

func (d *memDec) time() time.Time {
	n := d.num()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (d *memDec) addr() Address {
	return Address{Platform: d.str(), Workspace: d.str(), Channel: d.str(), Thread: d.str()}
}

func (d *memDec) user() User {
	return User{ID: d.str(), Name: d.str(), IsBot: d.num() == 1}
}

func encodeChoice(c ChoiceRecord) []byte {
	var e memEnc
	e.str(c.ID)
	e.str(c.Run)
	e.str(c.Lane)
	e.addr(c.Address)
	e.num(int64(len(c.Approvers)))
	for _, a := range c.Approvers {
		e.str(a)
	}
	e.num(int64(len(c.Options)))
	for _, o := range c.Options {
		e.str(o.ID)
		e.str(o.Label)
		e.str(string(o.Value))
	}
	e.str(c.Text)
	e.addr(c.Message.Address)
	e.str(c.Message.ID)
	e.time(c.Deadline)
	e.time(c.Created)
	e.num(int64(c.Outcome.State))
	e.num(int64(c.Outcome.Option))
	e.str(string(c.Outcome.Value))
	e.user(c.Outcome.User)
	e.time(c.Outcome.At)
	return slices.Clone([]byte(e)) // to size: the buffer grew by doubling
}

func decodeChoice(b []byte) ChoiceRecord {
	d := memDec(b)
	c := ChoiceRecord{ID: d.str(), Run: d.str(), Lane: d.str(), Address: d.addr()}
	if n := d.num(); n > 0 {
		c.Approvers = make([]string, n)
		for i := range c.Approvers {
			c.Approvers[i] = d.str()
		}
	}
	if n := d.num(); n > 0 {
		c.Options = make([]OptionRecord, n)
		for i := range c.Options {
			c.Options[i] = OptionRecord{ID: d.str(), Label: d.str(), Value: d.raw()}
		}
	}
	c.Text = d.str()
	c.Message = MessageRef{Address: d.addr(), ID: d.str()}
	c.Deadline = d.time()
	c.Created = d.time()
	c.Outcome = Outcome{State: ChoiceState(d.num()), Option: int(d.num()), Value: d.raw(), User: d.user(), At: d.time()}
	return c
}

// appendEntry encodes e at the end of b.
func appendEntry(b []byte, e JournalEntry) []byte {
	enc := memEnc(b)
	enc.num(int64(e.Seq))
	enc.str(e.Scope)
	enc.str(string(e.Kind))
	enc.str(e.Key)
	enc.str(e.Sum)
	enc.str(string(e.Data))
	return []byte(enc)
}

// readEntry decodes the entry at the start of b, which appendEntry wrote,
// and returns it with the rest of b.
func readEntry(b []byte) (JournalEntry, []byte) {
	d := memDec(b)
	e := JournalEntry{Seq: int(d.num()), Scope: d.str(), Kind: StepKind(d.str()), Key: d.str(), Sum: d.str(), Data: d.raw()}
	return e, []byte(d)
}
