package discordfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes, as Discord numbers them.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatACK   = 11
)

// Gateway close codes the fake uses, as Discord numbers them.
const (
	closeUnknownOpcode        = 4001
	closeDecodeError          = 4002
	closeNotAuthenticated     = 4003
	closeAuthenticationFailed = 4004
	closeAlreadyAuthenticated = 4005
	closeInvalidShard         = 4010
	closeDisallowedIntents    = 4014
)

// Identify is an IDENTIFY the gateway received.
type Identify struct {
	// Token is the token it carried, without any "Bot " prefix.
	Token string
	// Intents are the gateway intents it asked for.
	Intents discordgo.Intent
	// Shard is [shard id, shard count]; [0, 1] when it gave none.
	Shard [2]int
	// Compress and LargeThreshold are as sent.
	Compress       bool
	LargeThreshold int
	// SessionID is the id of the session it opened, empty if refused.
	SessionID string
	// Time is when the fake received it.
	Time time.Time
}

// Resume is a RESUME the gateway received.
type Resume struct {
	// SessionID and Seq are as sent.
	SessionID string
	Seq       int64
	// OK is set when the session was resumed, false when the fake
	// answered INVALID_SESSION.
	OK bool
	// Replayed is how many dispatches the fake sent again.
	Replayed int
	// Time is when the fake received it.
	Time time.Time
}

// gateway is the fake's gateway state, guarded by Server.mu.
type gateway struct {
	upgrader   websocket.Upgrader
	sessions   map[string]*gwSession
	conns      map[*gwConn]bool
	resumes    []Resume
	heartbeats int
	wg         sync.WaitGroup
}

func (g *gateway) init() {
	g.sessions = map[string]*gwSession{}
	g.conns = map[*gwConn]bool{}
	g.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
}

// gwSession is a gateway session: what RESUME takes up again.
type gwSession struct {
	id      string
	shard   [2]int
	intents discordgo.Intent
	seq     int64
	log     []gwFrame // every dispatch, for replays
	conn    *gwConn   // nil while disconnected
	invalid bool
}

// gwFrame is one dispatch of a session.
type gwFrame struct {
	seq  int64
	data []byte
}

// gwConn is one websocket connection. Frames go out through a queue
// that one goroutine writes, so that they leave in the order their
// sequence numbers were given.
type gwConn struct {
	ws   *websocket.Conn
	sess *gwSession // nil before IDENTIFY or RESUME

	mu     sync.Mutex
	queue  []outFrame
	wake   chan struct{}
	closed bool
}

// outFrame is a frame to write: data, or a close frame with code.
type outFrame struct {
	data  []byte
	close int
}

func (c *gwConn) send(f outFrame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.queue = append(c.queue, f)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// drop closes the connection at once, without a close frame, as a
// network failure does.
func (c *gwConn) drop() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	_ = c.ws.UnderlyingConn().Close()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writeLoop writes the queued frames until the connection closes.
func (c *gwConn) writeLoop() {
	for range c.wake {
		c.mu.Lock()
		q := c.queue
		c.queue = nil
		closed := c.closed
		c.mu.Unlock()
		for _, f := range q {
			if closed {
				return
			}
			if f.close != 0 {
				msg := websocket.FormatCloseMessage(f.close, closeText(f.close))
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
				c.drop()
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				c.drop()
				return
			}
		}
		if closed {
			return
		}
	}
}

func closeText(code int) string {
	switch code {
	case closeUnknownOpcode:
		return "Unknown opcode."
	case closeDecodeError:
		return "Error while decoding payload."
	case closeNotAuthenticated:
		return "Not authenticated."
	case closeAuthenticationFailed:
		return "Authentication failed."
	case closeAlreadyAuthenticated:
		return "Already authenticated."
	case closeInvalidShard:
		return "Invalid shard."
	case closeDisallowedIntents:
		return "Disallowed intent(s)."
	}
	return ""
}

// payload is a gateway frame: {"op","d","s","t"}.
type payload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

func frame(op int, d any) []byte {
	return marshal(obj{"op": op, "d": d, "s": nil, "t": nil})
}

// serveGateway serves a gateway connection: HELLO, then IDENTIFY or
// RESUME, heartbeats, and the dispatches.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.gw.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws, wake: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.gw.conns[c] = true
	s.gw.wg.Add(1)
	s.changedLocked()
	s.mu.Unlock()
	go func() {
		defer s.gw.wg.Done()
		c.writeLoop()
	}()
	c.send(outFrame{data: frame(opHello, obj{"heartbeat_interval": s.cfg.HeartbeatInterval.Milliseconds()})})
	defer func() {
		c.drop()
		s.mu.Lock()
		delete(s.gw.conns, c)
		if c.sess != nil && c.sess.conn == c {
			c.sess.conn = nil
		}
		s.changedLocked()
		s.mu.Unlock()
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p payload
		if json.Unmarshal(data, &p) != nil {
			c.send(outFrame{close: closeDecodeError})
			return
		}
		s.mu.Lock()
		switch p.Op {
		case opHeartbeat:
			s.gw.heartbeats++
			c.send(outFrame{data: frame(opHeartbeatACK, nil)})
		case opIdentify:
			s.identifyLocked(c, p.D)
		case opResume:
			s.resumeLocked(c, p.D)
		case 3, 4, 8: // presence, voice state, request guild members: accepted, ignored
			if c.sess == nil {
				c.send(outFrame{close: closeNotAuthenticated})
			}
		default:
			c.send(outFrame{close: closeUnknownOpcode})
		}
		s.changedLocked()
		s.mu.Unlock()
	}
}

// shardOf returns the shard of a guild among count shards.
func shardOf(guildID string, count int) int {
	id, _ := strconv.ParseUint(guildID, 10, 64)
	return int((id >> 22) % uint64(max(count, 1)))
}

// identifyLocked answers an IDENTIFY. s.mu is held.
func (s *Server) identifyLocked(c *gwConn, d json.RawMessage) {
	var id struct {
		Token          string           `json:"token"`
		Intents        discordgo.Intent `json:"intents"`
		Shard          *[2]int          `json:"shard"`
		Compress       bool             `json:"compress"`
		LargeThreshold int              `json:"large_threshold"`
	}
	if json.Unmarshal(d, &id) != nil {
		c.send(outFrame{close: closeDecodeError})
		return
	}
	rec := Identify{
		Token: strings.TrimPrefix(id.Token, "Bot "), Intents: id.Intents, Shard: [2]int{0, 1},
		Compress: id.Compress, LargeThreshold: id.LargeThreshold, Time: s.cfg.Now(),
	}
	if id.Shard != nil {
		rec.Shard = *id.Shard
	}
	defer func() { s.identifies = append(s.identifies, rec) }()
	switch {
	case c.sess != nil && !c.sess.invalid:
		c.send(outFrame{close: closeAlreadyAuthenticated})
		return
	case rec.Token != s.cfg.Token:
		c.send(outFrame{close: closeAuthenticationFailed})
		return
	case rec.Shard[1] < 1 || rec.Shard[0] < 0 || rec.Shard[0] >= rec.Shard[1]:
		c.send(outFrame{close: closeInvalidShard})
		return
	case id.Intents&discordgo.IntentMessageContent != 0 && s.cfg.MessageContent == Denied:
		c.send(outFrame{close: closeDisallowedIntents})
		return
	}
	sess := &gwSession{id: s.tokenLocked("fakesession"), shard: rec.Shard, intents: id.Intents, conn: c}
	rec.SessionID = sess.id
	s.gw.sessions[sess.id] = sess
	c.sess = sess
	var guilds []obj
	inShard := shardOf(s.cfg.GuildID, rec.Shard[1]) == rec.Shard[0]
	if inShard {
		guilds = append(guilds, obj{"id": s.cfg.GuildID, "unavailable": true})
	}
	s.sendLocked(sess, "READY", obj{
		"v": 10, "user_settings": obj{}, "user": s.userJSON(s.cfg.BotUser.ID),
		"session_type": "normal", "session_id": sess.id,
		"resume_gateway_url": s.GatewayURL(), "relationships": []obj{}, "private_channels": []obj{},
		"presences": []obj{}, "guilds": orEmpty(guilds), "guild_join_requests": []obj{},
		"geo_ordered_rtc_regions": []string{"fake"}, "auth": obj{},
		"application": obj{"id": s.cfg.ApplicationID, "flags": s.appFlags()}, "shard": rec.Shard,
	})
	if inShard && id.Intents&discordgo.IntentGuilds != 0 {
		s.sendLocked(sess, "GUILD_CREATE", s.guildCreateLocked())
	}
}

func orEmpty(l []obj) []obj {
	if l == nil {
		return []obj{}
	}
	return l
}

// guildCreateLocked is the GUILD_CREATE of the guild. s.mu is held.
func (s *Server) guildCreateLocked() obj {
	g := s.guildJSON()
	var chans, threads, members []obj
	for _, id := range s.channelOrder {
		ch := s.channels[id]
		switch {
		case isThread(ch.Type):
			threads = append(threads, s.channelJSON(ch))
		case ch.Type != discordgo.ChannelTypeDM && ch.Type != discordgo.ChannelTypeGroupDM:
			chans = append(chans, s.channelJSON(ch))
		}
	}
	for _, p := range append([]Person{s.cfg.BotUser}, s.cfg.People...) {
		members = append(members, s.memberJSON(p.ID, true))
	}
	g["joined_at"] = timestamp(snowflakeTime(s.cfg.GuildID))
	g["large"] = false
	g["unavailable"] = false
	g["member_count"] = len(members)
	g["voice_states"] = []obj{}
	g["members"] = members
	g["channels"] = orEmpty(chans)
	g["threads"] = orEmpty(threads)
	g["presences"] = []obj{}
	g["stage_instances"] = []obj{}
	g["guild_scheduled_events"] = []obj{}
	g["soundboard_sounds"] = []obj{}
	return g
}

// resumeLocked answers a RESUME: the dispatches after its seq again, then
// RESUMED; or INVALID_SESSION when the session cannot be resumed. s.mu is
// held.
func (s *Server) resumeLocked(c *gwConn, d json.RawMessage) {
	var rs struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if json.Unmarshal(d, &rs) != nil {
		c.send(outFrame{close: closeDecodeError})
		return
	}
	rec := Resume{SessionID: rs.SessionID, Seq: rs.Seq, Time: s.cfg.Now()}
	defer func() { s.gw.resumes = append(s.gw.resumes, rec) }()
	sess := s.gw.sessions[rs.SessionID]
	if sess == nil || sess.invalid || strings.TrimPrefix(rs.Token, "Bot ") != s.cfg.Token || rs.Seq > sess.seq {
		c.send(outFrame{data: frame(opInvalidSession, false)})
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.drop()
	}
	sess.conn = c
	c.sess = sess
	rec.OK = true
	for _, f := range sess.log {
		if f.seq > rs.Seq {
			c.send(outFrame{data: f.data})
			rec.Replayed++
		}
	}
	s.sendLocked(sess, "RESUMED", obj{})
}

// sendLocked sends one dispatch to a session, numbered and kept for a
// resume; it waits in the log while the session is disconnected. s.mu is
// held.
func (s *Server) sendLocked(sess *gwSession, t string, d any) {
	sess.seq++
	data := marshal(obj{"op": opDispatch, "d": d, "s": sess.seq, "t": t})
	sess.log = append(sess.log, gwFrame{seq: sess.seq, data: data})
	if sess.conn != nil {
		sess.conn.send(outFrame{data: data})
	}
	s.changedLocked()
}

// dispatchLocked sends a dispatch to every session that should get it:
// on the guild's shard (shard 0 for DMs, guildID empty) and with the
// intent need (0 for none). s.mu is held.
func (s *Server) dispatchLocked(t, guildID string, need discordgo.Intent, d any) {
	for _, sess := range s.sessionsLocked() {
		if s.wants(sess, guildID, need) {
			s.sendLocked(sess, t, d)
		}
	}
}

// wants reports whether sess gets an event of guildID needing need.
func (s *Server) wants(sess *gwSession, guildID string, need discordgo.Intent) bool {
	if sess.invalid || (need != 0 && sess.intents&need == 0) {
		return false
	}
	if guildID == "" {
		return sess.shard[0] == 0
	}
	return shardOf(guildID, sess.shard[1]) == sess.shard[0]
}

// sessionsLocked returns the sessions in the order they were opened.
func (s *Server) sessionsLocked() []*gwSession {
	var out []*gwSession
	for _, sess := range s.gw.sessions {
		out = append(out, sess)
	}
	// Sessions ids are made in order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].id < out[j-1].id; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// intentFor is the intent message events need: GUILD_MESSAGES in a
// guild, DIRECT_MESSAGES in a DM.
func intentFor(guildID string) discordgo.Intent {
	if guildID == "" {
		return discordgo.IntentDirectMessages
	}
	return discordgo.IntentGuildMessages
}

// dispatchMessageLocked sends MESSAGE_CREATE or MESSAGE_UPDATE for m. A
// session without the MESSAGE_CONTENT intent gets a guild message that
// neither is the bot's nor mentions it without its content, embeds,
// attachments and components, as Discord sends it. s.mu is held.
func (s *Server) dispatchMessageLocked(t string, m *Msg) {
	full := s.messageJSON(m, true)
	var blank obj
	for _, sess := range s.sessionsLocked() {
		if !s.wants(sess, m.GuildID, intentFor(m.GuildID)) {
			continue
		}
		d := full
		if sess.intents&discordgo.IntentMessageContent == 0 && m.GuildID != "" && !m.bot &&
			!mentions(m.Content, s.cfg.BotUser.ID) {
			if blank == nil {
				blank = obj{}
				for k, v := range full {
					blank[k] = v
				}
				blank["content"] = ""
				blank["embeds"] = []obj{}
				blank["attachments"] = []obj{}
				blank["components"] = []obj{}
			}
			d = blank
		}
		s.sendLocked(sess, t, d)
	}
}

// mentions reports whether content mentions the user id.
func mentions(content, id string) bool {
	for _, m := range mentionsOf(content) {
		if m == id {
			return true
		}
	}
	return false
}

// DropSocket cuts every gateway connection at once, without a close
// frame, as a network failure does. The sessions stay resumable: the
// events dispatched while they are disconnected wait, and a RESUME gets
// them, each once, in order.
func (s *Server) DropSocket() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		c.drop()
		if c.sess != nil && c.sess.conn == c {
			c.sess.conn = nil
		}
		delete(s.gw.conns, c)
	}
	s.changedLocked()
}

// InvalidateSession ends every gateway session: each connected one gets
// INVALID_SESSION (op 9, d false), and a later RESUME of any of them
// too. The client must IDENTIFY again, which opens a new session.
func (s *Server) InvalidateSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.gw.sessions {
		sess.invalid = true
		if sess.conn != nil {
			sess.conn.send(outFrame{data: frame(opInvalidSession, false)})
		}
	}
	s.changedLocked()
}

// InvalidateResumable sends every connected session INVALID_SESSION
// with d true, as Discord does when the session may be resumed: the
// sessions stay valid, their events waiting as after DropSocket, and a
// RESUME of them succeeds; the connection takes a new IDENTIFY too
// (discordgo sends one, opening a new session).
func (s *Server) InvalidateResumable() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.gw.sessions {
		if c := sess.conn; c != nil {
			c.send(outFrame{data: frame(opInvalidSession, true)})
			c.sess, sess.conn = nil, nil
		}
	}
	s.changedLocked()
}

// Reconnect asks every connected client to reconnect (RECONNECT, op 7),
// as Discord does before it moves a session. The sessions stay
// resumable.
func (s *Server) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		c.send(outFrame{data: frame(opReconnect, nil)})
	}
}

// Identifies returns the IDENTIFY payloads the gateway received, in
// order, refused ones included.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.identifies...)
}

// Resumes returns the RESUME payloads the gateway received, in order.
func (s *Server) Resumes() []Resume {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Resume(nil), s.gw.resumes...)
}

// Heartbeats returns how many heartbeats (op 1) the gateway received.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.heartbeats
}

// Connected returns how many gateway connections have a live session
// (identified or resumed, not invalidated).
func (s *Server) Connected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.gw.conns {
		if c.sess != nil && !c.sess.invalid && c.sess.conn == c {
			n++
		}
	}
	return n
}

// closeGateway closes every connection, for Close.
func (s *Server) closeGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		c.drop()
	}
}
