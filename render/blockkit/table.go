package blockkit

import (
	"strconv"
	"strings"

	"github.com/rivo/uniseg"
	"github.com/slack-go/slack"

	"github.com/parleybot/parley/render"
)

const (
	// emptyCell fills a table block's empty cells: Slack wants text in
	// every cell.
	emptyCell = "—"
	// noteRoom is the text kept free for the note under a cut table.
	noteRoom = 100
	// monoCell is the most characters a cell keeps in a monospace table.
	monoCell = 30
)

// table writes a table as Slack's table block when the message has room
// for one more, else as a monospace section; a monospace table that does
// not fit the message starts the next one, as a table block.
func (r *renderer) table(t render.TableNode) {
	g := newGrid(t)
	if len(g.rows) == 0 {
		return
	}
	if r.tables < render.Slack.TablesPerMessage {
		r.add(g.block()...)
		return
	}
	if mono, ok := g.mono(); ok && r.fits(mono) {
		r.add(mono...)
		return
	}
	r.flush()
	r.add(g.block()...)
}

// grid is a table as rows of cells on one line each, its header row
// first when it has one, within Slack's row and column counts.
type grid struct {
	rows  [][]string
	align []render.Align
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
		if strings.TrimSpace(h) != "" {
			all = append([][]string{t.Headers}, t.Rows...)
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
				cells[c] = strings.Join(strings.Fields(row[c]), " ")
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

// block returns the table as a table block, and a context note when rows
// or columns were cut. Cells are cut so that any two rows fit; rows past
// what fits in a message's text are cut.
func (g grid) block() []slack.Block {
	budget := render.Slack.TotalBlockText - noteRoom
	cell := max(budget/(2*len(g.rows[0])), 1)
	tb := slack.NewTableBlock("")
	used := 0
	for _, row := range g.rows {
		cells := make([]slack.TableCell, len(row))
		n := 0
		for i, c := range row {
			c = render.Truncate(c, cell)
			if c == "" {
				c = emptyCell
			}
			cells[i] = slack.NewTableRawTextCell(c)
			n += render.Len(c)
		}
		if used+n > budget {
			break
		}
		used += n
		tb.Rows = append(tb.Rows, cells)
	}
	for _, a := range g.align {
		tb.ColumnSettings = append(tb.ColumnSettings, slack.ColumnSetting{Align: slack.ColumnAlignment(a.String())})
	}
	out := []slack.Block{tb}
	if n := g.note(g.cutRows + len(g.rows) - len(tb.Rows)); n != "" {
		out = append(out, slack.NewContextBlock("", plain(n)))
	}
	return out
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
