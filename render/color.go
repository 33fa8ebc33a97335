package render

import (
	"fmt"
	"strconv"
	"strings"
)

// Color is an accent colour. The zero Color means no colour; make one with
// [RGB] or [Hex].
type Color struct {
	rgb uint32
	set bool
}

// Accent colours for the usual meanings.
var (
	Green = RGB(0x2e, 0xb6, 0x7d)
	Amber = RGB(0xec, 0xb2, 0x2e)
	Red   = RGB(0xe0, 0x1e, 0x5a)
	Blue  = RGB(0x36, 0xc5, 0xf0)
	Gray  = RGB(0x61, 0x61, 0x61)
)

// RGB returns the colour with the given red, green and blue components.
func RGB(r, g, b uint8) Color {
	return Color{rgb: uint32(r)<<16 | uint32(g)<<8 | uint32(b), set: true}
}

// Hex parses a colour written as "#rrggbb" or "rrggbb".
func Hex(s string) (Color, error) {
	h := strings.TrimPrefix(s, "#")
	if len(h) != 6 {
		return Color{}, fmt.Errorf("render: colour %q: want #rrggbb", s)
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return Color{}, fmt.Errorf("render: colour %q: want #rrggbb", s)
	}
	return Color{rgb: uint32(v), set: true}, nil
}

// IsZero reports whether c is the zero Color, meaning no colour.
func (c Color) IsZero() bool { return !c.set }

// Value returns the colour as 0xrrggbb.
func (c Color) Value() uint32 { return c.rgb }

// String returns the colour as "#rrggbb", or "" for the zero Color.
func (c Color) String() string {
	if !c.set {
		return ""
	}
	return fmt.Sprintf("#%06x", c.rgb)
}
