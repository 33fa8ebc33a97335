package discordfake

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// messageBody is the JSON of a message create or edit, its fields kept
// raw so that an edit can tell a field left out from one set to null.
type messageBody struct {
	Content          json.RawMessage `json:"content"`
	Embeds           json.RawMessage `json:"embeds"`
	Components       json.RawMessage `json:"components"`
	Flags            json.RawMessage `json:"flags"`
	MessageReference *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
	Attachments json.RawMessage `json:"attachments"`
}

// given reports whether a field was sent, null included.
func given(f json.RawMessage) bool { return len(f) > 0 }

// null reports whether a field was sent as null.
func null(f json.RawMessage) bool { return string(f) == "null" }

// formErrors collects the errors of an Invalid Form Body, by path.
type formErrors struct{ root obj }

// add records an error at path ("embeds.0.title").
func (fe *formErrors) add(path, code, message string) {
	if fe.root == nil {
		fe.root = obj{}
	}
	node := fe.root
	if path != "" {
		for _, k := range strings.Split(path, ".") {
			next, ok := node[k].(obj)
			if !ok {
				next = obj{}
				node[k] = next
			}
			node = next
		}
	}
	list, _ := node["_errors"].([]obj)
	node["_errors"] = append(list, obj{"code": code, "message": message})
}

// err returns the Invalid Form Body error, nil when there was none.
func (fe *formErrors) err() error {
	if fe.root == nil {
		return nil
	}
	e := apiError(50035)
	e.Errors = fe.root
	return e
}

// formError is an Invalid Form Body with one error.
func formError(path, code, message string) error {
	var fe formErrors
	fe.add(path, code, message)
	return fe.err()
}

func tooLong(fe *formErrors, path, s string, limit int) {
	if utf8.RuneCountInString(s) > limit {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", "Must be "+strconv.Itoa(limit)+" or fewer in length.")
	}
}

// rawEmbed is what the fake checks of an embed.
type rawEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

// rawComponent is what the fake checks of a component.
type rawComponent struct {
	Type     int     `json:"type"`
	CustomID *string `json:"custom_id"`
	Label    string  `json:"label"`
	URL      string  `json:"url"`
	Style    int     `json:"style"`
	Options  []struct {
		Label       string `json:"label"`
		Value       string `json:"value"`
		Description string `json:"description"`
	} `json:"options"`
	Components []rawComponent `json:"components"`
	Accessory  *rawComponent  `json:"accessory"`
}

// parsedMessage is a checked message body.
type parsedMessage struct {
	body          messageBody
	content       *string
	embeds        []*discordgo.MessageEmbed
	components    []discordgo.MessageComponent
	rawComponents json.RawMessage
	flags         *discordgo.MessageFlags
}

// parseMessage checks a message body as Discord does (LIMITS.md) and
// parses it. create says whether it makes a message, which must not be
// empty (files counts the files uploaded with it).
func parseMessage(payload []byte, create bool, files int) (*parsedMessage, error) {
	p := &parsedMessage{}
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &p.body); err != nil {
			return nil, formError("", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
		}
	}
	var fe formErrors
	b := p.body
	if given(b.Content) && !null(b.Content) {
		var c string
		if json.Unmarshal(b.Content, &c) != nil {
			fe.add("content", "BASE_TYPE_STRING", "Could not interpret the value as string.")
		}
		tooLong(&fe, "content", c, 2000)
		p.content = &c
	} else if null(b.Content) {
		p.content = new(string)
	}
	if given(b.Flags) && !null(b.Flags) {
		var f discordgo.MessageFlags
		if json.Unmarshal(b.Flags, &f) != nil {
			fe.add("flags", "NUMBER_TYPE_COERCE", "Value is not int.")
		}
		p.flags = &f
	}
	v2 := p.flags != nil && *p.flags&discordgo.MessageFlagsIsComponentsV2 != 0
	if given(b.Embeds) && !null(b.Embeds) {
		var raws []rawEmbed
		if json.Unmarshal(b.Embeds, &raws) != nil || json.Unmarshal(b.Embeds, &p.embeds) != nil {
			fe.add("embeds", "BASE_TYPE_LIST", "Must be a list.")
		}
		checkEmbeds(&fe, raws)
	}
	if given(b.Components) && !null(b.Components) {
		var raws []json.RawMessage
		var comps []rawComponent
		if json.Unmarshal(b.Components, &raws) != nil || json.Unmarshal(b.Components, &comps) != nil {
			fe.add("components", "BASE_TYPE_LIST", "Must be a list.")
		}
		if v2 {
			checkComponentsV2(&fe, comps)
		} else {
			checkComponents(&fe, comps)
		}
		for i, raw := range raws {
			c, err := discordgo.MessageComponentFromJSON(raw)
			if err != nil {
				fe.add("components."+strconv.Itoa(i)+".type", "BASE_TYPE_CHOICES", "Value must be one of the component types.")
				continue
			}
			p.components = append(p.components, c)
		}
		p.rawComponents = b.Components
	} else if null(b.Components) {
		p.rawComponents = json.RawMessage("[]")
	}
	if v2 {
		if p.content != nil && *p.content != "" {
			fe.add("content", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
		}
		if len(p.embeds) > 0 {
			fe.add("embeds", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if create && (p.content == nil || *p.content == "") && len(p.embeds) == 0 && len(p.components) == 0 && files == 0 {
		return nil, apiError(50006)
	}
	return p, nil
}

// checkEmbeds checks the embed limits.
func checkEmbeds(fe *formErrors, embeds []rawEmbed) {
	if len(embeds) > 10 {
		fe.add("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
	}
	total := 0
	for i, e := range embeds {
		at := "embeds." + strconv.Itoa(i) + "."
		tooLong(fe, at+"title", e.Title, 256)
		tooLong(fe, at+"description", e.Description, 4096)
		total += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		if len(e.Fields) > 25 {
			fe.add(at+"fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		for j, f := range e.Fields {
			fat := at + "fields." + strconv.Itoa(j) + "."
			tooLong(fe, fat+"name", f.Name, 256)
			tooLong(fe, fat+"value", f.Value, 1024)
			total += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
		if e.Footer != nil {
			tooLong(fe, at+"footer.text", e.Footer.Text, 2048)
			total += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			tooLong(fe, at+"author.name", e.Author.Name, 256)
			total += utf8.RuneCountInString(e.Author.Name)
		}
	}
	if total > 6000 {
		fe.add("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
	}
}

// checkComponents checks classic components: up to 5 action rows, each
// with up to 5 buttons or one select.
func checkComponents(fe *formErrors, rows []rawComponent) {
	if len(rows) > 5 {
		fe.add("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
	}
	seen := map[string]bool{}
	for i, row := range rows {
		at := "components." + strconv.Itoa(i)
		if row.Type != int(discordgo.ActionsRowComponent) {
			fe.add(at+".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).")
			continue
		}
		if len(row.Components) == 0 || len(row.Components) > 5 {
			fe.add(at+".components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
		}
		selects := 0
		for j, c := range row.Components {
			if isSelect(c.Type) {
				selects++
			}
			checkInteractive(fe, at+".components."+strconv.Itoa(j), c, seen)
		}
		if selects > 0 && len(row.Components) > 1 {
			fe.add(at+".components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
		}
	}
}

// checkComponentsV2 checks a components v2 message: at most 40
// components in all, each interactive one as in classic messages.
func checkComponentsV2(fe *formErrors, comps []rawComponent) {
	n := 0
	seen := map[string]bool{}
	var walk func(at string, cs []rawComponent)
	walk = func(at string, cs []rawComponent) {
		for i, c := range cs {
			n++
			cat := at + "." + strconv.Itoa(i)
			if c.Type == int(discordgo.ButtonComponent) || isSelect(c.Type) {
				checkInteractive(fe, cat, c, seen)
			}
			walk(cat+".components", c.Components)
			if c.Accessory != nil {
				n++
				if c.Accessory.Type == int(discordgo.ButtonComponent) {
					checkInteractive(fe, cat+".accessory", *c.Accessory, seen)
				}
			}
		}
	}
	walk("components", comps)
	if n > 40 {
		fe.add("components", "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
	}
}

func isSelect(t int) bool {
	switch discordgo.ComponentType(t) {
	case discordgo.SelectMenuComponent, discordgo.UserSelectMenuComponent, discordgo.RoleSelectMenuComponent,
		discordgo.MentionableSelectMenuComponent, discordgo.ChannelSelectMenuComponent:
		return true
	}
	return false
}

// checkInteractive checks a button or a select at path.
func checkInteractive(fe *formErrors, at string, c rawComponent, seen map[string]bool) {
	link := c.Type == int(discordgo.ButtonComponent) && c.Style == int(discordgo.LinkButton)
	premium := c.Type == int(discordgo.ButtonComponent) && c.Style == int(discordgo.PremiumButton)
	switch {
	case link:
		if c.URL == "" {
			fe.add(at+".url", "BASE_TYPE_REQUIRED", "This field is required")
		}
		tooLong(fe, at+".url", c.URL, 512)
		if c.URL != "" && !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "discord://") {
			fe.add(at+".url", "URL_TYPE_INVALID_PROTOCOL", "Scheme \""+strings.SplitN(c.URL, ":", 2)[0]+"\" is not supported. Scheme must be one of ('http', 'https', 'discord').")
		}
		if c.CustomID != nil {
			fe.add(at+".custom_id", "COMPONENT_INVALID_CUSTOM_ID", "A custom id cannot be set on a link button")
		}
	case premium:
	case c.CustomID == nil || *c.CustomID == "":
		fe.add(at+".custom_id", "BASE_TYPE_REQUIRED", "This field is required")
	default:
		id := *c.CustomID
		if utf8.RuneCountInString(id) > 100 {
			fe.add(at+".custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
		if seen[id] {
			fe.add(at+".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
		}
		seen[id] = true
	}
	if c.Type == int(discordgo.ButtonComponent) {
		tooLong(fe, at+".label", c.Label, 80)
	}
	if c.Type == int(discordgo.SelectMenuComponent) {
		if len(c.Options) == 0 || len(c.Options) > 25 {
			fe.add(at+".options", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
		}
		values := map[string]bool{}
		for k, o := range c.Options {
			oat := at + ".options." + strconv.Itoa(k)
			tooLong(fe, oat+".label", o.Label, 100)
			tooLong(fe, oat+".value", o.Value, 100)
			tooLong(fe, oat+".description", o.Description, 100)
			if values[o.Value] {
				fe.add(at+".options", "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Select component option values must be unique")
			}
			values[o.Value] = true
		}
	}
}
