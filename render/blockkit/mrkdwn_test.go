package blockkit_test

import (
	"testing"

	"github.com/parleybot/parley/render/blockkit"
)

func TestMrkdwn(t *testing.T) {
	t.Parallel()
	const z = "\u200b" // what keeps a literal markup character literal
	tests := []struct{ name, in, want string }{
		{"plain", "plain text", "plain text"},
		{"mass mentions stay quiet", "@channel @here @everyone `@here` ana@example.com", "@" + z + "channel @" + z + "here @" + z + "everyone `@" + z + "here` ana@example.com"},
		{"empty", "", ""},
		{"bold", "**b** and __b__", "*b* and *b*"},
		{"italic", "_i_ and *i*", "_i_ and _i_"},
		{"strike", "~~s~~", "~s~"},
		{"bold italic", "***bi***", "*_bi_*"},
		{"strike bold", "~~**x**~~", "*~x~*"},
		{"inline code", "`c` and `a < b & c`", "`c` and `a &lt; b &amp; c`"},
		{"backtick inside inline code", "`` a`b ``", "`a\u02cbb`"},
		{"code block drops language, escapes", "```go\nx := 1 && y < 2\n```", "```\nx := 1 &amp;&amp; y &lt; 2\n```"},
		{"fence inside code block", "````\n```\n````", "```\n`" + z + "`" + z + "`\n```"},
		{"indented code block", "    indented <code>", "```\nindented &lt;code&gt;\n```"},
		{"link", "[t](https://x.test/a?b=1&c=2)", "<https://x.test/a?b=1&amp;c=2|t>"},
		{"http link", "[t](http://x.test)", "<http://x.test|t>"},
		{"autolink", "<https://x.test>", "<https://x.test|https://x.test>"},
		{"link label escaped", "[a|b > c & d](https://x.test)", "<https://x.test|a\u2223b &gt; c &amp; d>"},
		{"link target escaped", "[t](https://x.test/?q=<a>|b)", "<https://x.test/?q=%3Ca%3E%7Cb|t>"},
		{"bold link", "**[t](https://x.test)**", "*<https://x.test|t>*"},
		{"ftp link is text", "[t](ftp://x.test)", "t"},
		{"javascript link is text", "[t](javascript:alert(1))", "t"},
		{"relative link is text", "[t](/path)", "t"},
		{"image is a link", "![alt](https://i.test/a.png)", "<https://i.test/a.png|alt>"},
		{"list", "- a\n- b", "• a\n• b"},
		{"nested list", "- a\n  - b\n    - c\n      - d", "• a\n  ◦ b\n    ▪ c\n      • d"},
		{"ordered list", "1. x\n2. y", "1. x\n2. y"},
		{"ordered list start", "3. x\n4. y", "3. x\n4. y"},
		{"ordered inside bullets", "- a\n  1. b", "• a\n  1. b"},
		{"quote", "> q\n> **r**", "> q\n> *r*"},
		{"quote with blank line", "> a\n>\n> b", "> a\n>\n> b"},
		{"heading", "# H\n\ntext", "*H*\n\ntext"},
		{"deep heading", "###### h6", "*h6*"},
		{"rule", "a\n\n---\n\nb", "a\n\n──────────\n\nb"},
		{"line breaks", "one\ntwo  \nthree", "one\ntwo\nthree"},
		{"escaping", "1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"},
		{"entities stay literal", "&amp; &lt; &copy;", "&amp; &lt; ©"},
		{"mentions are text", "<@U123> <!channel> <#C1>", "&lt;@U123&gt; &lt;!channel&gt; &lt;#C1&gt;"},
		{"raw html is text", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"},
		{"escaped markup stays literal", `\*not bold\* \_not italic\_ \~x\~ \` + "`y\\`",
			z + "*" + z + "not bold" + z + "*" + z + " " + z + "_" + z + "not italic" + z + "_" + z + " " +
				z + "~" + z + "x" + z + "~" + z + " " + z + "`" + z + "y" + z + "`" + z},
		{"lone markup characters", "a * b _ c ~ d ` e", "a " + z + "*" + z + " b " + z + "_" + z + " c " + z + "~" + z + " d " + z + "`" + z + " e"},
		{"markup inside a word is left alone", "snake_case_name and a~b", "snake_case_name and a~b"},
		{"literal > opening a line", `\> not a quote`, z + "&gt; not a quote"},
		{"literal > opening a later line", "x\n\\> not a quote", "x\n" + z + "&gt; not a quote"},
		{"emoji codes pass", ":smile:", ":smile:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := blockkit.Mrkdwn(tt.in); got != tt.want {
				t.Errorf("Mrkdwn(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
		})
	}
}
