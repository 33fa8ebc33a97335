package render

// Interactive is an element a person can act on and whose meaning stays on
// the server: an action button. Link buttons are not interactive; the
// platform handles them.
type Interactive interface {
	interactive()
}

func (*ButtonNode) interactive() {}

// IDs gives each interactive element of a tree the opaque id that stands for
// it on the platform. Renderers emit only these ids, never values. An element
// missing from the map is rendered without an id, which platforms show as
// inert or not at all (see each renderer).
type IDs map[Interactive]string

// Walk calls fn for n and each node inside it, depth first, in the order a
// reader meets them: a card's body before its actions. A *Card is visited as
// the Card it points to.
func Walk(n Node, fn func(Node)) {
	switch n := n.(type) {
	case nil:
		return
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
// order in which plain-text renderers number them.
func Interactives(n Node) []Interactive {
	var out []Interactive
	Walk(n, func(n Node) {
		if a, ok := n.(ActionsNode); ok {
			for _, b := range a.Buttons {
				if b != nil && !b.IsLink() {
					out = append(out, b)
				}
			}
		}
	})
	return out
}
