package blockkit

import (
	"strconv"
	"strings"

	"github.com/rivo/uniseg"
	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
)

const (
	// emptyCell fills a table block's empty cells: Slack wants text in
	// every cell.
	emptyCell = "—"
	// noteRoom is the text kept free for the note under a cut table.
	noteRoom = 100
	// noteJSON is the JSON kept free for the block of that note.
	noteJSON = 512
	// monoCell is the most characters a cell keeps in a monospace table.
	monoCell = 30
)

// table writes a table as Slack's table block when the message has room
// for one more, else as a monospace section; a monospace table that does
// not fit the message starts the next one, as a table block. A table
// block too large for one message continues in the next (see
// grid.blocks).
func (r *renderer) table(t render.TableNode) {
	g := newGrid(t)
	if len(g.rows) == 0 {
		return
	}
	if r.tables >= render.Slack.TablesPerMessage {
		if mono, ok := g.mono(); ok && r.fits(mono) {
			r.add(mono...)
			return
		}
		r.flush()
	}
	parts := g.blocks()
	r.add(parts[0]...)
	for _, p := range parts[1:] {
		r.flush()
		r.add(p...)
	}
}

// grid is a table as rows of cells on one line each, its header row
// first when it has one, within Slack's row and column counts.
type grid struct {
	rows   [][]string
	header bool // rows[0] is the header row
	align  []render.Align
	// cutRows and cutCols count the rows and columns left out.
	cutRows, cutCols int
}

func newGrid(t render.TableNode) grid {
	cols := t.Columns()
	shown := min(cols, render.Slack.TableColumns)
	g := grid{cutCols: cols - shown, align: t.Align[:min(len(t.Align), shown)]}
	if shown == 0 {
		return g
	}
	all := t.Rows
	for _, h := range t.Headers {
		if !chars.Blank(clean(h)) {
			all = append([][]string{t.Headers}, t.Rows...)
			g.header = true
			break
		}
	}
	for i, row := range all {
		if i == render.Slack.TableRows {
			g.cutRows = len(all) - i
			break
		}
		cells := make([]string, shown)
		for c := range cells {
			if c < len(row) {
				cells[c] = strings.Join(strings.Fields(clean(row[c])), " ")
			}
		}
		g.rows = append(g.rows, cells)
	}
	return g
}

// note returns the line telling what was cut, or "".
func (g grid) note(cutRows int) string {
	var parts []string
	if cutRows > 0 {
		parts = append(parts, plural(cutRows, "more row"))
	}
	if g.cutCols > 0 {
		parts = append(parts, plural(g.cutCols, "more column"))
	}
	if len(parts) == 0 {
		return ""
	}
	return "…and " + strings.Join(parts, " and ")
}

func plural(n int, what string) string {
	s := strconv.Itoa(n) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}

// blocks returns the table as table blocks, each the blocks of a message
// of its own, and a context note under the last when rows or columns were
// cut. One table block holds no more rows than fit render.Slack.TableText
// of cell text (and a message's text) and a message's JSON budget; the
// rows past that continue in the next table block, under the header row
// again. Cells are cut so that the header row and any other row fit
// together; a blank cell holds emptyCell.
func (g grid) blocks() [][]slack.Block {
	cols := len(g.rows[0])
	var settings []slack.ColumnSetting
	for _, a := range g.align {
		settings = append(settings, slack.ColumnSetting{Align: slack.ColumnAlignment(a.String())})
	}
	newBlock := func() *slack.TableBlock {
		return &slack.TableBlock{Type: slack.MBTTable, Rows: [][]slack.TableCell{}, ColumnSettings: settings}
	}
	text := min(render.Slack.TableText, render.Slack.TotalBlockText-noteRoom)
	bytes := blockJSON() - noteJSON - size(newBlock())
	cellText := max(text/(2*cols), 1)
	// A row is its cells, each {"type":"raw_text","text":"…"} and a comma,
	// between brackets and before a comma.
	cellJSON := max((bytes/2-3)/cols-size(slack.NewTableRawTextCell(""))-1, 1)

	type row struct {
		cells       []slack.TableCell
		text, bytes int
	}
	rows := make([]row, len(g.rows))
	for i, cs := range g.rows {
		rw := row{cells: make([]slack.TableCell, cols), bytes: 3}
		for c, s := range cs {
			s = fitJSON(render.Truncate(s, cellText), cellJSON)
			if chars.Blank(s) {
				s = emptyCell
			}
			cell := slack.NewTableRawTextCell(s)
			rw.cells[c] = cell
			rw.text += render.Len(s)
			rw.bytes += size(cell) + 1
		}
		rows[i] = rw
	}

	var out []*slack.TableBlock
	var tb *slack.TableBlock
	used, usedBytes, data := 0, 0, 0
	put := func(rw row) {
		tb.Rows = append(tb.Rows, rw.cells)
		used += rw.text
		usedBytes += rw.bytes
	}
	open := func() {
		tb = newBlock()
		out = append(out, tb)
		used, usedBytes, data = 0, 0, 0
		if g.header {
			put(rows[0])
		}
	}
	open()
	first := 0
	if g.header {
		first = 1
	}
	for _, rw := range rows[first:] {
		if data > 0 && (used+rw.text > text || usedBytes+rw.bytes > bytes) {
			open()
		}
		put(rw)
		data++
	}
	parts := make([][]slack.Block, len(out))
	for i, tb := range out {
		parts[i] = []slack.Block{tb}
	}
	if n := g.note(g.cutRows); n != "" {
		parts[len(parts)-1] = append(parts[len(parts)-1], slack.NewContextBlock("", plain(n)))
	}
	return parts
}

// mono returns the table as a section holding a code block of aligned
// columns, within render.Slack.SectionText; rows that do not fit are cut,
// with a note under the code block. It reports false when not even the
// first row fits.
func (g grid) mono() ([]slack.Block, bool) {
	rows := make([][]string, len(g.rows))
	widths := make([]int, len(g.rows[0]))
	for i, row := range g.rows {
		rows[i] = make([]string, len(row))
		for c, cell := range row {
			rows[i][c] = render.Truncate(cell, monoCell)
			widths[c] = max(widths[c], uniseg.StringWidth(rows[i][c]))
		}
	}
	const open, close = "```", "\n```"
	var d dialect
	var b strings.Builder
	b.WriteString(open)
	n, shown := render.Len(open), 0
	for _, row := range rows {
		l := "\n" + d.CodeLine(g.line(row, widths))
		if n+render.Len(l)+render.Len(close) > render.Slack.SectionText-noteRoom {
			break
		}
		b.WriteString(l)
		n += render.Len(l)
		shown++
	}
	if shown == 0 {
		return nil, false
	}
	b.WriteString(close)
	if note := g.note(g.cutRows + len(rows) - shown); note != "" {
		b.WriteString("\n" + note)
	}
	return []slack.Block{&slack.SectionBlock{Type: slack.MBTSection, Text: mrkdwn(b.String())}}, true
}

// line lays out one row of a monospace table, each cell padded to its
// column's width as its column is aligned.
func (g grid) line(row []string, widths []int) string {
	var b strings.Builder
	for c, cell := range row {
		if c > 0 {
			b.WriteString("  ")
		}
		pad := widths[c] - uniseg.StringWidth(cell)
		left := 0
		if c < len(g.align) {
			switch g.align[c] {
			case render.AlignRight:
				left = pad
			case render.AlignCenter:
				left = pad / 2
			}
		}
		b.WriteString(strings.Repeat(" ", left) + cell + strings.Repeat(" ", pad-left))
	}
	return strings.TrimRight(b.String(), " ")
}
