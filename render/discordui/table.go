package discordui

import (
	"fmt"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/parleybot/parley/render"
	"github.com/parleybot/parley/render/internal/chars"
)

// maxCell is the most characters of one table cell shown: a code block
// wraps long lines, so a wider column would only tear the grid apart.
const maxCell = 40

// table writes t as a code block of space-aligned columns within limit.
// Rows past the limit are cut and counted in a line under the block
// ("…and 12 more rows"): a table split over several embeds would lose its
// alignment and headers. It returns "" for a table with no cells.
func table(t render.TableNode, limit int) string {
	cols := t.Columns()
	if cols == 0 {
		return ""
	}
	cell := func(row []string, i int) string {
		if i >= len(row) {
			return ""
		}
		s := neutralize(oneLine(clean(row[i])))
		// A backtick followed by a zero-width space cannot join others
		// into a fence.
		s = strings.ReplaceAll(s, "`", "`"+zwsp)
		return render.Truncate(s, maxCell)
	}
	grid := make([][]string, 0, len(t.Rows)+1)
	hasHeader := false
	for _, h := range t.Headers {
		hasHeader = hasHeader || strings.TrimSpace(h) != ""
	}
	if hasHeader {
		grid = append(grid, nil)
	}
	for _, r := range t.Rows {
		grid = append(grid, r)
	}
	cells := make([][]string, len(grid))
	width := make([]int, cols)
	for j, r := range grid {
		if hasHeader && j == 0 {
			r = t.Headers
		}
		cells[j] = make([]string, cols)
		for i := range cols {
			c := cell(r, i)
			cells[j][i] = c
			width[i] = max(width[i], uniseg.StringWidth(c))
		}
	}
	const open, close = "```\n", "\n```"
	// The longest line leaves room for the fences and the note.
	lineLimit := max(limit-chars.Len(open+close)-32, 8)
	line := func(cs []string) string {
		var b strings.Builder
		for i, c := range cs {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := width[i] - uniseg.StringWidth(c)
			align := render.AlignLeft
			if i < len(t.Align) {
				align = t.Align[i]
			}
			switch align {
			case render.AlignRight:
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(c)
			case render.AlignCenter:
				b.WriteString(strings.Repeat(" ", pad/2))
				b.WriteString(c)
				b.WriteString(strings.Repeat(" ", pad-pad/2))
			default:
				b.WriteString(c)
				b.WriteString(strings.Repeat(" ", pad))
			}
		}
		return render.Truncate(strings.TrimRight(b.String(), " "), lineLimit)
	}
	note := func(k int) string {
		if k == 1 {
			return "\n…and 1 more row"
		}
		return fmt.Sprintf("\n…and %d more rows", k)
	}
	var b strings.Builder
	b.WriteString(open)
	n := chars.Len(open)
	first, wrote := 0, false
	if hasHeader {
		h := line(cells[0])
		rule := make([]string, cols)
		for i, w := range width {
			rule[i] = strings.Repeat("─", w)
		}
		sep := render.Truncate(strings.Join(rule, "  "), lineLimit)
		b.WriteString(h)
		n += chars.Len(h)
		wrote = true
		if n+1+chars.Len(sep)+chars.Len(close)+chars.Len(note(len(grid))) <= limit {
			b.WriteString("\n" + sep)
			n += 1 + chars.Len(sep)
		}
		first = 1
	}
	rows := cells[first:]
	shown := 0
	for i, r := range rows {
		l := line(r)
		need := n + 1 + chars.Len(l) + chars.Len(close)
		if i < len(rows)-1 {
			need += chars.Len(note(len(rows) - i - 1))
		}
		if need > limit {
			break
		}
		if wrote {
			b.WriteByte('\n')
			n++
		}
		wrote = true
		b.WriteString(l)
		n += chars.Len(l)
		shown++
	}
	if strings.TrimSpace(b.String()[len(open):]) == "" {
		b.WriteString(zwsp) // a table of empty cells: keep the block whole
	}
	b.WriteString(close)
	if shown < len(rows) {
		b.WriteString(note(len(rows) - shown))
	}
	return b.String()
}
