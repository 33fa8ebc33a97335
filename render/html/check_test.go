package html_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// The fragment's grammar, as Render writes it. checkHTML holds output to
// it: a parser-free way to know that a browser reads the fragment as the
// elements Render meant, and nothing else.
var (
	voidTags = set("br", "hr", "img", "input")
	tags     = set("article", "header", "footer", "div", "p", "small", "h2", "h3", "h4", "h5", "h6",
		"strong", "em", "del", "code", "pre", "a", "ul", "ol", "li", "blockquote", "dl", "dt", "dd",
		"figure", "figcaption", "span", "table", "thead", "tbody", "tr", "th", "td", "button",
		"select", "option", "fieldset", "legend", "label", "br", "hr", "img", "input")
	attrs = set("class", "style", "href", "rel", "target", "src", "alt", "title", "loading", "type",
		"data-action", "data-select", "disabled", "value", "name", "start", "aria-label", "selected")
	// blockTags close an open <p> in a browser's parser, so they may not
	// sit inside one.
	blockTags = set("article", "header", "footer", "div", "p", "h2", "h3", "h4", "h5", "h6", "pre",
		"ul", "ol", "li", "blockquote", "dl", "dt", "dd", "figure", "figcaption", "table", "hr", "fieldset")
	// parents are the elements some elements must sit directly in.
	parents = map[string]map[string]bool{
		"li": set("ul", "ol"), "option": set("select"), "dt": set("div"), "dd": set("div"),
		"thead": set("table"), "tbody": set("table"), "tr": set("thead", "tbody"),
		"th": set("tr"), "td": set("tr"), "legend": set("fieldset"), "figcaption": set("figure"),
	}
	interactive = set("a", "button", "select", "input", "label")
	entities    = []string{"&lt;", "&gt;", "&amp;", "&#39;", "&#34;"}
	styles      = regexp.MustCompile(`^(--parley-accent:#[0-9a-f]{6}|text-align:(center|right))$`)
	classes     = regexp.MustCompile(`^[a-z][a-z0-9 +_.#-]*$`)
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// checkHTML reports how out breaks the safety property: every tag and
// attribute is one Render writes, every attribute is quoted, text and
// values hold no raw markup, elements nest as a parser would keep them,
// every href and src is an http or https URL, and ids (the values of
// data-action and of options and radio buttons) come from ids only.
func checkHTML(out string, ids map[string]bool) error {
	if strings.Contains(strings.ToLower(out), "<script") {
		return fmt.Errorf("<script in output")
	}
	var stack []string
	for i := 0; i < len(out); {
		switch out[i] {
		case '<':
			end := strings.IndexByte(out[i:], '>')
			if end < 0 {
				return fmt.Errorf("unclosed tag at %d", i)
			}
			tag := out[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("</%s> closes %v", name, stack)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, err := checkTag(tag, ids)
			if err != nil {
				return err
			}
			if err := checkNesting(name, stack); err != nil {
				return err
			}
			if !voidTags[name] {
				stack = append(stack, name)
			}
		case '>', '"':
			return fmt.Errorf("raw %q in text at %d", out[i], i)
		case '&':
			n, err := entity(out[i:])
			if err != nil {
				return err
			}
			i += n
		default:
			i++
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed elements %v", stack)
	}
	return nil
}

// entity returns the length of the character reference s starts with.
func entity(s string) (int, error) {
	for _, e := range entities {
		if strings.HasPrefix(s, e) {
			return len(e), nil
		}
	}
	return 0, fmt.Errorf("raw & before %.12q", s)
}

// checkTag checks a start tag's name and attributes and returns the name.
func checkTag(tag string, ids map[string]bool) (string, error) {
	name, rest, _ := strings.Cut(tag, " ")
	if !tags[name] {
		return "", fmt.Errorf("tag <%s>", name)
	}
	if rest != "" {
		rest = " " + rest
	}
	for rest != "" {
		if rest[0] != ' ' {
			return "", fmt.Errorf("<%s>: junk %.20q", name, rest)
		}
		rest = rest[1:]
		end := strings.IndexAny(rest, " =")
		if end < 0 {
			end = len(rest)
		}
		attr := rest[:end]
		rest = rest[end:]
		if !attrs[attr] || strings.HasPrefix(attr, "on") {
			return "", fmt.Errorf("<%s>: attribute %q", name, attr)
		}
		if !strings.HasPrefix(rest, "=") {
			continue // a boolean attribute
		}
		if !strings.HasPrefix(rest, `="`) {
			return "", fmt.Errorf("<%s %s>: unquoted value", name, attr)
		}
		value, after, ok := strings.Cut(rest[2:], `"`)
		if !ok {
			return "", fmt.Errorf("<%s %s>: unterminated value", name, attr)
		}
		rest = after
		if err := checkValue(name, attr, value, ids); err != nil {
			return "", err
		}
	}
	return name, nil
}

func checkValue(tag, attr, raw string, ids map[string]bool) error {
	if strings.ContainsAny(raw, "<>") {
		return fmt.Errorf("<%s %s>: raw markup in %q", tag, attr, raw)
	}
	for i := strings.IndexByte(raw, '&'); i >= 0; i = strings.IndexByte(raw, '&') {
		n, err := entity(raw[i:])
		if err != nil {
			return err
		}
		raw = raw[:i] + "_" + raw[i+n:]
	}
	v := html.UnescapeString(raw)
	switch attr {
	case "href", "src":
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			return fmt.Errorf("<%s %s=%q>: not http or https", tag, attr, v)
		}
	case "style":
		if !styles.MatchString(v) {
			return fmt.Errorf("<%s style=%q>", tag, v)
		}
	case "class":
		if !classes.MatchString(v) {
			return fmt.Errorf("<%s class=%q>", tag, v)
		}
	case "data-action", "name":
		if !ids[v] {
			return fmt.Errorf("<%s %s=%q>: not an id", tag, attr, v)
		}
	case "value":
		if !ids[v] && !(tag == "option" && v == "") {
			return fmt.Errorf("<%s value=%q>: not an id", tag, v)
		}
	}
	return nil
}

// checkNesting checks that a browser would open name inside stack as is,
// without closing anything first.
func checkNesting(name string, stack []string) error {
	parent := ""
	if len(stack) > 0 {
		parent = stack[len(stack)-1]
	}
	if want, ok := parents[name]; ok && !want[parent] {
		return fmt.Errorf("<%s> inside <%s>", name, parent)
	}
	for _, open := range stack {
		if blockTags[name] && (open == "p" || open == "small" || open == "span") {
			return fmt.Errorf("block <%s> inside <%s>", name, open)
		}
		if interactive[name] && (open == "a" || open == "button") {
			return fmt.Errorf("<%s> inside <%s>", name, open)
		}
	}
	return nil
}
