package render

// Interactive is an element a person can act on and whose meaning stays on
// the server: an action button (*[ButtonNode]) or one option of a select
// (*[Option]). Link buttons are not interactive; the platform handles them.
type Interactive interface {
	interactive()
}

func (*ButtonNode) interactive() {}
func (*Option) interactive()     {}

// IDs gives each interactive element of a tree the opaque id that stands for
// it on the platform: the id resolver every renderer takes from its caller.
// Renderers emit only these ids, never values, so nothing a user could
// forge travels in a button and values of any size stay on the server. An
// action button or option missing from the map is left out of platform
// payloads (see each renderer).
type IDs map[Interactive]string

// Walk calls fn for n and each node inside it, depth first, in the order a
// reader meets them: a card's body before its actions. A *Card is visited as
// the Card it points to; a nil node or nil *SelectNode is not visited.
func Walk(n Node, fn func(Node)) {
	switch n := n.(type) {
	case nil:
		return
	case *SelectNode:
		if n == nil {
			return
		}
	case *Card:
		if n != nil {
			Walk(*n, fn)
		}
		return
	case Card:
		fn(n)
		for _, b := range n.Body {
			Walk(b, fn)
		}
		if len(n.Actions.Buttons) > 0 {
			fn(n.Actions)
		}
		return
	}
	fn(n)
}

// Interactives lists the interactive elements of n in reading order, the
// order in which plain-text renderers number them: buttons beside
// sections, options of selects and buttons of action rows as they come.
func Interactives(n Node) []Interactive {
	var out []Interactive
	Walk(n, func(n Node) {
		switch n := n.(type) {
		case SectionNode:
			if b, ok := n.Accessory.(*ButtonNode); ok && b != nil && !b.IsLink() {
				out = append(out, b)
			}
		case *SelectNode:
			for _, o := range n.Options {
				if o != nil {
					out = append(out, o)
				}
			}
		case ActionsNode:
			for _, b := range n.Buttons {
				if b != nil && !b.IsLink() {
					out = append(out, b)
				}
			}
		}
	})
	return out
}
