// Package blockkit renders a render tree as Slack Block Kit, in slack-go's
// types, within every limit Slack sets on a message.
//
// A card becomes header, section, context, image, divider, table and
// actions blocks; markdown becomes Slack's mrkdwn; a card's accent colour
// becomes the colour of an attachment holding its blocks. What does not fit
// one message continues in the next, and what cannot be shown at all is
// cut with a visible note ("…and 12 more rows").
//
// A message fits Slack's documented limits (see [render.Slack]) and three
// budgets of its own: 12,000 characters of text in its blocks, a table's
// 10,000 characters of cell text, and 36,000 bytes of blocks JSON (see
// render.SlackLimits.BlocksJSON), below where Slack answers
// msg_blocks_too_long. JSON counts what text does not — markup, escapes,
// URLs — so fields, buttons, select options and table rows are packed by
// both, and a select of many options becomes several selects sooner than
// its count alone would ask.
//
// Buttons and select options carry only the opaque ids their caller gives
// [Render], as action_id and value: a value never reaches Slack.
// [Validate] checks a rendered message against Slack's limits; the tests
// and fuzz targets hold every rendering to it.
//
// # The mapping
//
//   - A card's title is a header block, its subtitle and footer context
//     blocks of plain text, around its body and its row of actions.
//   - Text nodes are sections of plain_text, with emoji codes off: Slack
//     shows plain_text exactly as it is, so nothing in it can turn into
//     markup, a mention or a link. Titles, labels, options, placeholders
//     and alt texts are plain_text too.
//   - Markdown, sections and context are mrkdwn (see [Mrkdwn]), split over
//     several sections where a section's 3000 characters are not enough.
//   - Fields are "*Label*\nValue" mrkdwn fields, ten to a section.
//   - Buttons get action_id and value both set to their id; link buttons
//     get their url and no action_id. Selects get action_id "sel:" and the
//     id of their first option; each option's value is its id. A select of
//     more than 100 options becomes several selects, a radio group of more
//     than 10 a static select.
//   - The first table of a message is a table block; any further table in
//     the same message is a section holding a code block of aligned
//     columns. Empty cells of a table block hold "—": Slack wants text in
//     every cell. A table block shows at most 100 rows, with a note for
//     the rest; rows past what one message takes (10,000 characters of
//     cell text, the JSON budget) continue in a table block of the next
//     message, under the header row again.
//   - Links and images are sent only for absolute http and https URLs of at
//     most 3000 characters. An image or link button with any other URL is
//     replaced by a context note ("Image not shown: " and the image's
//     caption, else its alt text; "Link not shown: " and the buttons'
//     labels); a markdown link to one keeps only its text. Unicode spaces
//     and invisible characters in a URL are percent-encoded; a URL holding
//     a control character or invalid UTF-8 is refused.
//   - A section whose accessory would take it past the JSON budget has the
//     accessory under it, on its own.
//   - Interactive elements without an id are left out. No block has a
//     block_id.
//
// Every message of a rendering has the same Text: the tree's fallback text
// with & < > escaped, so that nothing in it pings a channel.
//
// No text Slack gets holds a control character (NUL, escape sequences, DEL,
// the C1 controls), a noncharacter or invalid UTF-8: control characters
// are dropped (those that break a line become line breaks), invalid UTF-8
// becomes U+FFFD. That holds for text from markdown's numeric references
// ("&#1;") too.
//
// # Literal markup in mrkdwn
//
// Slack has no escape for its markup characters. Text that should show as
// it is — the text of markdown and field labels and values — has & < >
// written as entities, as Slack asks, and each * _ ~ ` placed between two
// U+200B ZERO WIDTH SPACEs, which keep it from opening or closing a style
// whether Slack takes them for a space or for a letter. A markup character
// with a letter or digit on both sides (snake_case, a~b) is left alone:
// Slack never reads markup inside a word, and copying such words then
// copies no invisible characters. A > that starts a line gets a zero-width
// space before it so that it does not quote. Inside code, where Slack reads
// no markup, only & < > are escaped; a backtick inside inline code becomes
// the look-alike U+02CB, and a zero-width space between two backticks of a
// code block keeps them from closing it. One cost: a styled run that itself
// starts or ends with a markup character may show without its style.
package blockkit
