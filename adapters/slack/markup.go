package slack

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// nameBudget bounds the time spent looking up the names of the people a
// message mentions, so that an inbound event is acknowledged well within
// Slack's three seconds however slow users.info is; a name not found in
// time shows as its id.
const nameBudget = 500 * time.Millisecond

// maxNameLookups bounds the users.info calls one message may start: past
// it, and past nameBudget, names come from the cache only, so that a
// message mentioning hundreds of people costs no more calls than one
// mentioning a few.
const maxNameLookups = 8

// markdown turns the text of a Slack message into the markdown the bot
// and the model read: Slack's angle-bracket markup is resolved — a
// mention <@U123> becomes @name, a channel <#C1|general> #general, a link
// <https://x|label> [label](https://x), a special mention <!here> @here —
// and the entities Slack escapes (&amp; &lt; &gt;) are unescaped. Names
// come from the adapter's user cache; team is the workspace they are in.
func (a *Adapter) markdown(ctx context.Context, team, text string) string {
	if !strings.ContainsAny(text, "<&") {
		return text
	}
	ctx, cancel := context.WithTimeout(ctx, nameBudget)
	defer cancel()
	lookups := 0
	var b strings.Builder
	b.Grow(len(text))
	for {
		i := strings.IndexByte(text, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(unescape(text[:i]))
		b.WriteString(a.token(ctx, team, text[i+1:i+j], &lookups))
		text = text[i+j+1:]
	}
	b.WriteString(unescape(text))
	return b.String()
}

// token resolves the inside of one <…> token.
func (a *Adapter) token(ctx context.Context, team, tok string, lookups *int) string {
	target, label, hasLabel := strings.Cut(tok, "|")
	label = unescape(label)
	switch {
	case strings.HasPrefix(target, "@"):
		if hasLabel && label != "" {
			return "@" + strings.TrimPrefix(label, "@")
		}
		id := target[1:]
		if u, ok := a.cachedUser(team, id); ok && u.Name != "" {
			return "@" + u.Name
		}
		if *lookups < maxNameLookups && ctx.Err() == nil {
			*lookups++
			if u, err := a.user(ctx, team, id); err == nil && u.Name != "" {
				return "@" + u.Name
			}
		}
		return "@" + id
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		return special(target[1:], label)
	case target == "":
		return "<" + unescape(tok) + ">"
	}
	url := unescape(target)
	if !hasLabel || label == "" || label == url || "mailto:"+label == url {
		if hasLabel && "mailto:"+label == url {
			return label
		}
		return url
	}
	return "[" + label + "](" + url + ")"
}

// special resolves a special mention <!…>: <!here>, <!channel> and
// <!everyone> read as @here, @channel and @everyone whatever their label
// (older messages label them "here"); a user group <!subteam^S1|@team> as
// its label, or as @S1 without one; a date <!date^1392734382^…|fallback>
// as its fallback, or as the time it names without one; anything else as
// its label, or @ and its name.
func special(target, label string) string {
	name, args, _ := strings.Cut(target, "^")
	switch name {
	case "here", "channel", "everyone":
		return "@" + name
	}
	if label != "" {
		return label
	}
	arg, _, _ := strings.Cut(args, "^")
	switch name {
	case "subteam":
		if arg != "" {
			return "@" + arg
		}
	case "date":
		if sec, err := strconv.ParseInt(arg, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC().Format(time.RFC3339)
		}
	}
	return "@" + name
}

// unescape undoes the three entities Slack escapes in message text.
func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return entities.Replace(s)
}

var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
