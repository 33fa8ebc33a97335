package html

import (
	"html/template"

	"github.com/parleybot/parley/render"
)

// Render renders n as an HTML fragment. ids gives every interactive
// element its opaque id, emitted as data-action; elements without one are
// shown disabled.
func Render(n render.Node, ids render.IDs) template.HTML {
	panic("TODO")
}
