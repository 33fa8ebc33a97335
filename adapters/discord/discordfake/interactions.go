package discordfake

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// interaction is an interaction the fake made, and how the application
// has answered it.
type interaction struct {
	id, token string
	kind      discordgo.InteractionType
	userID    string
	channelID string
	guildID   string
	messageID string // the message of a component
	created   time.Time
	response  discordgo.InteractionResponseType // the first response, 0 for none yet
	original  string                            // the id of @original
	payload   []byte
}

// interactionLocked returns the interaction the path names, checking
// its token.
func (s *Server) interactionLocked(q *request) *interaction {
	ia := s.interactions[q.path("interaction.id")]
	if ia == nil || ia.token != q.path("interaction.token") {
		return nil
	}
	return ia
}

// callbackBody is an interaction response.
type callbackBody struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data json.RawMessage                   `json:"data"`
}

// interactionCallback answers POST /interactions/{id}/{token}/callback:
// once per interaction, within Config.InteractionDeadline.
func (s *Server) interactionCallback(q *request) (int, any, error) {
	ia := s.interactionLocked(q)
	if ia == nil || (ia.response == 0 && q.now.Sub(ia.created) > s.cfg.InteractionDeadline) {
		return 0, nil, apiError(10062)
	}
	if ia.response != 0 {
		return 0, nil, apiError(40060)
	}
	var b callbackBody
	if json.Unmarshal(q.payload, &b) != nil {
		return 0, nil, formError("type", "BASE_TYPE_REQUIRED", "This field is required")
	}
	if b.Type == discordgo.InteractionResponsePong {
		// PONG answers a PING only in the HTTP response.
		return 0, nil, formError("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.")
	}
	if err := s.respondLocked(ia, b, q.files); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// respondLocked applies an interaction's first response. s.mu is held.
func (s *Server) respondLocked(ia *interaction, b callbackBody, files []File) error {
	component := ia.kind == discordgo.InteractionMessageComponent || ia.kind == discordgo.InteractionModalSubmit
	ch := s.channels[ia.channelID]
	switch b.Type {
	case discordgo.InteractionResponsePong:
		if ia.kind != discordgo.InteractionPing {
			return formError("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.")
		}
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		if ia.kind == discordgo.InteractionPing || ch == nil {
			return formError("type", "BASE_TYPE_CHOICES", "Value must be one of {1}.")
		}
		deferred := b.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource
		p, err := parseMessage(b.Data, !deferred, len(files))
		if err != nil {
			return err
		}
		m := s.newBotMessageLocked(ch, p, files)
		if deferred {
			m.Content, m.Embeds, m.Components, m.rawComponents = "", nil, nil, nil
			m.Flags = m.Flags&discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsLoading
		}
		s.interactionMessageLocked(ia, m)
		ia.original = m.ID
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		if !component {
			return formError("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid for this interaction.")
		}
		m := s.msgs[ia.messageID]
		if m == nil || m.Deleted {
			return apiError(10008)
		}
		if b.Type == discordgo.InteractionResponseUpdateMessage {
			p, err := parseMessage(b.Data, false, len(files))
			if err != nil {
				return err
			}
			s.editLocked(m, p, files)
		}
		ia.original = m.ID
	case discordgo.InteractionResponseModal, discordgo.InteractionApplicationCommandAutocompleteResult:
		if ia.kind == discordgo.InteractionPing || ia.kind == discordgo.InteractionModalSubmit {
			return formError("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid for this interaction.")
		}
	default:
		return formError("type", "BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.")
	}
	ia.response = b.Type
	s.changedLocked()
	return nil
}

// interactionMessageLocked records m as a message answering ia: an
// ephemeral one shown to the person who acted when its flags say so.
// s.mu is held.
func (s *Server) interactionMessageLocked(ia *interaction, m *Msg) {
	m.InteractionID = ia.id
	if ia.kind == discordgo.InteractionApplicationCommand {
		m.Type = discordgo.MessageTypeChatInputCommand
	}
	if m.Flags&discordgo.MessageFlagsEphemeral != 0 {
		m.Ephemeral, m.To = true, ia.userID
	}
	s.addMessageLocked(m)
	if !m.Ephemeral {
		s.dispatchMessageLocked("MESSAGE_CREATE", m)
	}
}

// webhookLocked returns the interaction whose webhook the path names,
// within Config.TokenLifetime and once it has been answered.
func (s *Server) webhookLocked(q *request) (*interaction, error) {
	if q.path("application.id") != s.cfg.ApplicationID {
		return nil, apiError(10015)
	}
	token := q.path("interaction.token")
	var ia *interaction
	for _, x := range s.interactions {
		if x.token == token {
			ia = x
		}
	}
	switch {
	case ia == nil || q.now.Sub(ia.created) > s.cfg.TokenLifetime:
		return nil, apiError(50027)
	case ia.response == 0:
		return nil, apiError(10015)
	}
	return ia, nil
}

// createFollowup answers POST /webhooks/{app}/{token}: a follow-up
// message, ephemeral with flags 64.
func (s *Server) createFollowup(q *request) (int, any, error) {
	ia, err := s.webhookLocked(q)
	if err != nil {
		return 0, nil, err
	}
	ch := s.channels[ia.channelID]
	if ch == nil {
		return 0, nil, apiError(10003)
	}
	p, err := parseMessage(q.payload, true, len(q.files))
	if err != nil {
		return 0, nil, err
	}
	m := s.newBotMessageLocked(ch, p, q.files)
	s.interactionMessageLocked(ia, m)
	return http.StatusOK, s.messageJSON(m, false), nil
}

// webhookMessage answers GET, PATCH and DELETE of an interaction's
// original response (@original) or of a follow-up.
func (s *Server) webhookMessage(q *request) (int, any, error) {
	ia, err := s.webhookLocked(q)
	if err != nil {
		return 0, nil, err
	}
	id := q.path("message.id")
	if id == "" {
		id = ia.original
	}
	m := s.msgs[id]
	if m == nil || m.Deleted || (m.InteractionID != ia.id && id != ia.original) {
		return 0, nil, apiError(10008)
	}
	switch q.r.Method {
	case http.MethodDelete:
		s.deleteLocked(m)
		return http.StatusNoContent, nil, nil
	case http.MethodPatch:
		p, err := parseMessage(q.payload, false, len(q.files))
		if err != nil {
			return 0, nil, err
		}
		s.editLocked(m, p, q.files)
	}
	return http.StatusOK, s.messageJSON(m, false), nil
}
