package discordui_test

import (
	"testing"

	"github.com/parleybot/parley/render/discordui"
)

func TestMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello world", "hello world"},
		{"bold", "a **bold** word", "a **bold** word"},
		{"italic", "an *italic* and _another_", "an _italic_ and _another_"},
		{"bold italic", "***both***", "_**both**_"},
		{"bold next to italic", "**a**_b_", "**a**_b_"},
		{"strike", "~~gone~~", "~~gone~~"},
		{"inline code", "run `go test`", "run `go test`"},
		{"code with a backtick", "``a`b``", "`` a`b ``"},
		{"code with backticks at the edge", "`` `x` ``", "`` `x` ``"},
		{"code with a double backtick", "``` a``b ```", "`` a`\u200b`b ``"},
		{"code block", "```go\nx := 1\n```", "```go\nx := 1\n```"},
		{"code block with a fence inside", "````\na ``` b\n````", "```\na `\u200b`` b\n```"},
		{"code block with an odd language", "```a{b\nx\n```", "```\nx\n```"},
		{"link", "[docs](https://example.com/a_b)", "[docs](https://example.com/a_b)"},
		{"styled link", "[**docs**](https://example.com)", "[**docs**](https://example.com)"},
		{"link with parentheses", "[w](https://x.test/a_(b))", "[w](https://x.test/a_%28b%29)"},
		{"autolink", "<https://example.org>", "<https://example.org>"},
		{"javascript link", "[click](javascript:alert(1))", "click"},
		{"data link", "[x](data:text/html,hi)", "x"},
		{"relative link", "[x](/path)", "x"},
		{"image", "![a cat](https://example.com/cat.png)", "[a cat](https://example.com/cat.png)"},
		{"list", "- one\n- two", "- one\n- two"},
		{"nested list", "- a\n  - b\n    - c", "- a\n  - b\n    - c"},
		{"ordered list", "3. three\n4. four", "3. three\n4. four"},
		{"quote", "> quoted\n> more", "> quoted\n> more"},
		{"heading 1", "# One", "# One"},
		{"heading 3", "### Three", "### Three"},
		{"heading 4 is bold", "#### Four", "**Four**"},
		{"rule", "a\n\n---\n\nb", "a\n\n──────────\n\nb"},
		{"escaped markdown", `\*not bold\* \_x\_ a\|b`, `\*not bold\* \_x\_ a\|b`},
		{"literal characters", "snake_case a ~ b <tag> [x] a|b", `snake\_case a \~ b \<tag> \[x\] a\|b`},
		{"mention syntax", "<@123> and <#456>", `\<@123> and \<#456>`},
		{"escaped list marker", `\- not a list`, `\- not a list`},
		{"escaped heading", `\# not a heading`, `\# not a heading`},
		{"escaped ordered marker", `1\. not a list`, `1\. not a list`},
		{"bare URL kept", "see https://example.com/a_b_c now", "see https://example.com/a_b_c now"},
		{"everyone", "hi @everyone and @here", "hi @\u200beveryone and @\u200bhere"},
		{"everyone in code", "`@everyone`", "`@\u200beveryone`"},
		{"everyone in a link", "[x](https://x.test/@everyone)", "x"},
		{"raw html", "<b>bold</b>", `\<b>bold\</b>`},
		{"hard break", "a  \nb", "a\nb"},
		{"invalid UTF-8 and NUL", "a\xff\x00b", "a\uFFFDb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := discordui.Markdown(tt.in); got != tt.want {
				t.Errorf("Markdown(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}
