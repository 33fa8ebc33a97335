package slack

import (
	"context"
	"testing"
)

func TestSlackMarkupBecomesMarkdown(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"<#C1|general> and <#C2>", "#general and #C2"},
		{"<https://x.example/a?b=1&amp;c=2|the label>", "[the label](https://x.example/a?b=1&c=2)"},
		{"<https://x.example>", "https://x.example"},
		{"<https://x.example|https://x.example>", "https://x.example"},
		{"<mailto:ana@example.com|ana@example.com>", "ana@example.com"},
		{"<!here> <!channel> <!everyone>", "@here @channel @everyone"},
		{"<!subteam^S123|@oncall> look", "@oncall look"},
		{"<!date^1392734382^{date_pretty}|Feb 18, 2014>", "Feb 18, 2014"},
		{"<@U123|ana> hi", "@ana hi"},
		{"a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"},
		{"1 &lt; 2 <https://x.example|a &amp; b>", "1 < 2 [a & b](https://x.example)"},
		{"unclosed <https://x.example", "unclosed <https://x.example"},
		{"<>", "<>"},
	}
	for _, c := range cases {
		if got := a.markdown(context.Background(), "T1", c.in); got != c.want {
			t.Errorf("markdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Slack's special mentions come with a label or without one, and older
// messages label @here as "here": each still reads as the mention it is,
// a user group without a label by its id, and a date without a fallback as
// the time it names.
func TestSpecialMentionsReadAsWhatTheyName(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	cases := []struct{ in, want string }{
		{"<!subteam^S0ONCALL> please look", "@S0ONCALL please look"},
		{"<!subteam^S0ONCALL|@oncall> please look", "@oncall please look"},
		{"<!here|here> <!channel|channel> <!everyone|everyone>", "@here @channel @everyone"},
		{"<!here|@here>", "@here"},
		{"due <!date^1392734382^{date_short}>", "due 2014-02-18T14:39:42Z"},
		{"due <!date^1392734382^{date_short}^https://x.example>", "due 2014-02-18T14:39:42Z"},
	}
	for _, c := range cases {
		if got := a.markdown(context.Background(), "T1", c.in); got != c.want {
			t.Errorf("markdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOwnMentionIsRemovedFromTheStart(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"<@U0BOT> hello", "hello"},
		{"  <@U0BOT>   hello", "hello"},
		{"<@U0BOT|parley> hello", "hello"},
		{"hello <@U0BOT>", "hello <@U0BOT>"},
		{"<@U0OTHER> hello", "<@U0OTHER> hello"},
	}
	for _, c := range cases {
		if got := withoutMention(c.in, "U0BOT"); got != c.want {
			t.Errorf("withoutMention(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !mentions("hey <@U0BOT> there", "U0BOT") || mentions("hey <@U0BOTX> there", "U0BOT") || mentions("x", "") {
		t.Error("mentions misreads")
	}
}

func TestTSReadsAsTime(t *testing.T) {
	t.Parallel()
	if got := tsTime("1730000000.000100"); got.Unix() != 1730000000 || got.Nanosecond() != 100000 {
		t.Fatalf("tsTime = %v", got)
	}
	if !tsTime("nope").IsZero() {
		t.Fatal("a bad ts read as a time")
	}
}
