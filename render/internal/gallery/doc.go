// Package gallery holds the cards every renderer's golden tests render,
// and a builder of random widget trees for the renderers' fuzz targets. It
// is for tests only.
package gallery
