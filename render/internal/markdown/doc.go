// Package markdown parses the markdown of render's Markdown, Section and
// Context nodes into a small tree, and writes that tree in a platform's
// dialect (Slack mrkdwn, Discord markdown, plain text) within a length
// limit, splitting it into pieces that each stand on their own: no piece
// ends inside a bold run, a link or a code block.
//
// Parsing is goldmark's (CommonMark with GitHub's strikethrough); the tree
// keeps only what chat platforms can show: paragraphs, headings, lists,
// quotes, code blocks and rules, with inline text as runs of one style.
package markdown
