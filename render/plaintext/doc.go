// Package plaintext renders Parley's widget tree as readable plain text: for
// terminals, logs, notification fallbacks, and the transcript a bot keeps
// of conversations whose platform has no history to read back.
//
// Action buttons become numbered options ("[1] Approve  [2] Deny"),
// numbered across the whole message in reading order, the order of
// render.Interactives, so a text interface can map a typed number back to
// the element. Link buttons show their URL.
package plaintext
