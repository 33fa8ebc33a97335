package markdown

import "strings"

// Plain returns the text of markdown src without its markup: what a
// notification or a screen reader should say. Links keep their text.
func Plain(src string) string {
	var lines []string
	var walk func(bs []Block)
	walk = func(bs []Block) {
		for _, b := range bs {
			switch b.Kind {
			case Paragraph, Heading:
				lines = append(lines, PlainText(b.Spans))
			case Code:
				lines = append(lines, strings.TrimSuffix(b.Text, "\n"))
			case Quote:
				walk(b.Blocks)
			case List:
				for _, it := range b.Items {
					walk(it)
				}
			}
		}
	}
	walk(Parse(src))
	return strings.Join(lines, "\n")
}
