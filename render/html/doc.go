// Package html renders a render tree as an HTML fragment for the web
// playground. All text is escaped, links and images keep only http and
// https URLs, and interactive elements carry only their opaque ids.
package html
