// Package discordui renders a render tree as Discord message parts, in
// discordgo's types — content, embeds and classic components — within
// every limit Discord sets on a message.
//
// A card becomes embeds (title, description, inline fields, image,
// thumbnail, footer, colour) with action rows of buttons and select menus;
// markdown becomes Discord's markdown; tables become code blocks. Any
// other top-level node becomes message content. What does not fit one
// message continues in the next, and what cannot be shown at all is cut
// with a visible note ("…and 12 more rows", a trailing "…").
//
// # Layout
//
// Discord draws an embed's parts in a fixed order: title, description,
// fields, image. To keep a card's reading order, text that follows fields
// or an image, and a second image, start a new embed of the same colour;
// the card's title opens the first embed and its footer closes the last.
// A description holds at most 4096 characters and a message at most ten
// embeds of 6000 characters together, so long bodies are split with the
// markdown writer — never inside a bold run, a link or a code block — over
// further embeds and messages. Fields are 25 to an embed. Field names,
// field values and titles are cut, not split, since a half field reads
// worse than a shortened one.
//
// Components go on the message that holds the text before them, at most
// five rows to a message; past that the rest continue in a message of
// their own (Discord accepts a message with components alone). Buttons
// come five to a row; a section's button joins the row of the section
// buttons before it; a select is one menu of up to 25 options per row,
// its placeholder numbered (" (26–50)") when it takes several menus; a
// radio select of up to five options is a row of buttons.
//
// # Ids
//
// Action buttons and select options carry only the opaque ids their caller
// gives [Render]: a button's custom_id is its id, an option's value is its
// id, and a menu's custom_id is [SelectPrefix] followed by the id of its
// first option. A value never reaches Discord. An element without an id is
// left out; an id Discord would reject (empty, too long, or shared by two
// components of a message) makes Render fail rather than build a payload
// Discord refuses.
//
// # Nothing dropped unseen
//
// A link button Discord would refuse leaves a small line in its place,
// "Link not shown: " and the buttons' labels, as in Slack; an image
// Discord would not load leaves "Image not shown: " and its caption, else
// its alt text. In a card the note goes in the card's embeds, before the
// footer; elsewhere it is content, above the rows it stands beside.
//
// # Blank content
//
// Discord takes content of white space and invisible characters (U+200B
// to U+200D, U+2060, U+FEFF, the Braille blank U+2800, the Hangul fillers,
// lone combining marks; see chars.Blank in render/internal) for no content
// at all, and refuses a message that has nothing else. Such text shows
// nothing, so Render drops it, as it drops
// blank text: a tree that holds nothing else renders as no messages, not
// as an empty message or a placeholder, and a message with components or
// embeds keeps those alone. Markup around nothing ("**\u200b**", a quote
// of a zero-width space) is dropped the same way; a rule is not.
//
// # Safety
//
// Text nodes, titles and field texts are escaped so that Discord shows them
// as written; links, link buttons and images keep only http and https URLs
// of at most 512 characters, without white space, invisible or control
// characters; "@everyone" and "@here" get a zero-width space after the "@"
// wherever they appear. A bare URL in text is left unescaped only as far
// as Discord reads it: to the first white space of any kind (Discord's,
// which is Unicode's, not ASCII's) or "<", and earlier at any invisible
// character, so that "https://a.example\u3000[Login](https://b.example)"
// does not reach Discord as a live masked link; brackets are escaped even
// inside a URL. A line-start marker is escaped after and before white
// space of any kind too. Control characters and noncharacters are dropped
// from all text and invalid UTF-8 becomes U+FFFD, including what
// markdown's numeric references write.
//
// [Validate] checks a message against Discord's limits and those rules;
// Render runs it on everything it returns, and the tests and fuzz target
// hold every rendering to it.
//
// A card's Fallback is not rendered: adapters that want notification text
// take it from [render.FallbackText].
package discordui
