// Package plaintext renders Parley's widget tree as readable plain text: for
// terminals, logs, notification fallbacks, and the transcript a bot keeps
// of conversations whose platform has no history to read back.
//
// Action buttons and select options become numbered choices
// ("[1] Approve  [2] Deny"), numbered across the whole message in reading
// order, the order of render.Interactives, so a text interface can map a
// typed number k back to render.Interactives(n)[k-1] (adapters/terminal
// does). Link buttons show their URL ("Docs <https://…>").
//
// Each element takes its own lines, in tree order: a card's title,
// subtitle, body, actions and footer; a header underlined with "=";
// markdown without its markup (links as "text <url>", lists, quotes and
// code fences kept); fields as "Label: Value"; images as
// "[image: alt] <url>"; tables as columns aligned by display width, so CJK
// and emoji line up; a select's options one per line under its
// placeholder. A card nested in a body is written in place the same way.
//
// There are no limits, but the output is safe to print: control
// characters (terminal escape sequences, carriage returns) and invalid
// UTF-8 become U+FFFD, and only http and https URLs are shown.
package plaintext
