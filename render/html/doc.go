// Package html renders a render tree as an HTML fragment for the web
// playground (adapters/web). All text is escaped, links and images keep
// only http and https URLs, and interactive elements carry only their
// opaque ids.
//
// The fragment is the contract with the page that embeds it:
//
//   - A card is an <article class="parley-card">, its accent in the custom
//     property --parley-accent, its Fallback (when set) as aria-label.
//   - An action button is <button data-action="ID">; clicking it means
//     "the element with this id". A button without an id is disabled.
//   - A select is <select data-select> whose <option value="ID"> are the
//     options' ids; its first option is always a disabled placeholder of
//     value "" (the Placeholder, else "Choose…"), so every choice fires
//     a change. A radio group is <fieldset data-select> of radio inputs
//     with value="ID".
//   - Classes starting "parley-" are for the page's style sheet; no style
//     comes from text, only from render.Color and render.Align.
//
// Markdown is converted by walking render/internal/markdown's parse tree,
// never through an HTML renderer, so raw HTML in markdown comes out as
// text. Headings in markdown start at <h3>, under a card title's <h2>.
//
// No limits apply; Render's own work is linear in the tree's size. A tree with
// nothing to show (nil, an empty card) renders as the empty fragment.
package html
