// Package chars measures and cuts text the way render counts platform
// limits: in UTF-16 code units, between grapheme clusters.
package chars
