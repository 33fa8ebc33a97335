package plaintext

import (
	"github.com/parleybot/parley/render/internal/chars"
	"strings"

	"github.com/parleybot/parley/render"
	"github.com/rivo/uniseg"
)

// clean makes s safe to print on a terminal: control characters, which a
// terminal would obey (escape sequences, carriage returns that overwrite a
// line, bells), invalid UTF-8, and the bidirectional overrides and
// isolates, with which text can show in an order other than its own (a
// label that reads as a different command), become U+FFFD. Line breaks
// and tabs stay; "\r\n" and a lone "\r" become "\n".
func clean(s string) string { return chars.Sanitize(s, unsafeRune) }

func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return r < 0x20 || r >= 0x7f && r < 0xa0
}

// line returns s cleaned and on one line, for what a reader scans as one
// item: titles, labels, cells.
func line(s string) string {
	s = clean(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	}
	return strings.TrimSpace(s)
}

// width is how many terminal columns s takes: two for a CJK character or
// an emoji, none for a combining mark.
func width(s string) int { return uniseg.StringWidth(s) }

// table writes t as columns aligned with spaces, the headers over a rule.
// Short rows are padded with empty cells.
func table(t render.TableNode) string {
	cols := t.Columns()
	if cols == 0 {
		return ""
	}
	rows := make([][]string, 0, len(t.Rows)+1)
	hasHeader := false
	for _, h := range t.Headers {
		if line(h) != "" {
			hasHeader = true
			break
		}
	}
	if hasHeader {
		rows = append(rows, t.Headers)
	}
	rows = append(rows, t.Rows...)

	cells := make([][]string, len(rows))
	widths := make([][]int, len(rows))
	colWidth := make([]int, cols)
	for i, row := range rows {
		cells[i] = make([]string, cols)
		widths[i] = make([]int, cols)
		for j := range cols {
			if j < len(row) {
				cells[i][j] = line(row[j])
				widths[i][j] = width(cells[i][j])
			}
			colWidth[j] = max(colWidth[j], widths[i][j])
		}
	}

	var b strings.Builder
	for i := range cells {
		writeRow(&b, cells[i], widths[i], colWidth, t.Align)
		if i == 0 && hasHeader {
			rules := make([]string, cols)
			for j, w := range colWidth {
				rules[j] = strings.Repeat("─", w)
			}
			writeRow(&b, rules, colWidth, colWidth, nil)
		}
	}
	return b.String()
}

// writeRow writes one table row, each cell padded to its column's width
// as the column's alignment says, columns two spaces apart.
func writeRow(b *strings.Builder, cells []string, widths, colWidth []int, align []render.Align) {
	var row strings.Builder
	for j, c := range cells {
		if j > 0 {
			row.WriteString("  ")
		}
		pad := colWidth[j] - widths[j]
		a := render.AlignLeft
		if j < len(align) {
			a = align[j]
		}
		left := 0
		switch a {
		case render.AlignRight:
			left = pad
		case render.AlignCenter:
			left = pad / 2
		}
		row.WriteString(strings.Repeat(" ", left))
		row.WriteString(c)
		row.WriteString(strings.Repeat(" ", pad-left))
	}
	b.WriteString(strings.TrimRight(row.String(), " "))
	b.WriteByte('\n')
}
