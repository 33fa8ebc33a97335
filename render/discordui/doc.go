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
// # Safety
//
// Text nodes, titles and field texts are escaped so that Discord shows them
// as written; links, link buttons and images keep only http and https URLs
// of at most 512 characters; "@everyone" and "@here" get a zero-width
// space after the "@" wherever they appear. [Validate] checks a message
// against Discord's limits; Render runs it on everything it returns, and
// the tests and fuzz target hold every rendering to it.
//
// A card's Fallback is not rendered: adapters that want notification text
// take it from [render.FallbackText].
package discordui
