package discordfake_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/parleybot/parley/adapters/discord/discordfake"
)

const intents = discordgo.IntentGuilds | discordgo.IntentGuildMessages | discordgo.IntentDirectMessages | discordgo.IntentMessageContent

// TestGatewayReadyAndMessages: discordgo connects, identifies, gets
// READY and then the MESSAGE_CREATE and INTERACTION_CREATE the fake
// dispatches.
func TestGatewayReadyAndMessages(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	ready := make(chan *discordgo.Ready, 1)
	msgs := make(chan *discordgo.MessageCreate, 10)
	clicks := make(chan *discordgo.InteractionCreate, 10)
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { msgs <- m })
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { clicks <- i })
	open(t, dg, intents)

	r := recv(t, ready, "READY")
	if r.User.ID != f.Config().BotUser.ID || r.SessionID == "" || len(r.Guilds) != 1 {
		t.Fatalf("READY = %+v", r)
	}
	ids := f.Identifies()
	if len(ids) != 1 || ids[0].Intents != intents || ids[0].Shard != [2]int{0, 1} {
		t.Fatalf("identifies = %+v", ids)
	}

	ev := f.Mention(discordfake.Ana, discordfake.General, "hello")
	m := recv(t, msgs, "MESSAGE_CREATE")
	if m.ID != ev.ID || m.Author.ID != discordfake.Ana || m.GuildID != f.Config().GuildID ||
		len(m.Mentions) != 1 || m.Mentions[0].ID != f.Config().BotUser.ID {
		t.Fatalf("MESSAGE_CREATE = %+v", m.Message)
	}

	sent, err := dg.ChannelMessageSendComplex(discordfake.General, &discordgo.MessageSend{
		Content: "Deploy?",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Yes", CustomID: "yes", Style: discordgo.PrimaryButton},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if own := recv(t, msgs, "the bot's own MESSAGE_CREATE"); own.ID != sent.ID || !own.Author.Bot {
		t.Fatalf("own message = %+v", own.Message)
	}
	click, err := f.Click(discordfake.Ben, sent.ID, "yes")
	if err != nil {
		t.Fatal(err)
	}
	ic := recv(t, clicks, "INTERACTION_CREATE")
	if ic.ID != click.ID || ic.Token != click.Token || ic.MessageComponentData().CustomID != "yes" || ic.Member.User.ID != discordfake.Ben {
		t.Fatalf("INTERACTION_CREATE = %+v", ic.Interaction)
	}
	if err := dg.InteractionRespond(ic.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}); err != nil {
		t.Fatal(err)
	}
	if f.Heartbeats() == 0 {
		waitFor(t, f, "a heartbeat", func() bool { return f.Heartbeats() > 0 })
	}
}

// collector gathers the MESSAGE_CREATE events a session receives.
type collector struct {
	ch chan *discordgo.MessageCreate
}

func collect(dg *discordgo.Session) *collector {
	// In order: discordgo runs each handler in a goroutine of its own
	// unless SyncEvents is set, and "the last id came" would not mean the
	// ones before it had.
	dg.SyncEvents = true
	c := &collector{ch: make(chan *discordgo.MessageCreate, 100)}
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { c.ch <- m })
	return c
}

// until receives messages until one with the id last arrives, and
// returns how many times each id came.
func (c *collector) until(t *testing.T, last string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for {
		m := recv(t, c.ch, "MESSAGE_CREATE "+last)
		seen[m.ID]++
		if m.ID == last {
			return seen
		}
	}
}

// TestDropSocketResumes: the fake cuts the connection; the events sent
// while it is down wait; discordgo resumes and gets each once, in order,
// with no second IDENTIFY.
func TestDropSocketResumes(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{HeartbeatInterval: 50 * time.Millisecond})
	c := collect(dg)
	open(t, dg, intents)
	first := f.Mention(discordfake.Ana, discordfake.General, "before")
	c.until(t, first.ID)

	f.DropSocket()
	var down []string
	for _, text := range []string{"while", "the socket", "is down"} {
		down = append(down, f.Mention(discordfake.Ana, discordfake.General, text).ID)
	}
	waitFor(t, f, "the resume", func() bool { return f.Connected() == 1 && len(f.Resumes()) == 1 })
	after := f.Mention(discordfake.Ben, discordfake.General, "after").ID
	seen := c.until(t, after)
	for _, id := range append(down, after) {
		if seen[id] != 1 {
			t.Errorf("message %s arrived %d times, want once", id, seen[id])
		}
	}
	if seen[first.ID] != 0 {
		t.Error("a message delivered before the drop came again")
	}
	r := f.Resumes()[0]
	if !r.OK || r.Replayed != len(down) {
		t.Fatalf("resume = %+v, want %d replayed", r, len(down))
	}
	if n := len(f.Identifies()); n != 1 {
		t.Fatalf("%d IDENTIFYs, want 1", n)
	}
}

// TestInvalidateSession: after INVALID_SESSION, d false or true,
// discordgo identifies again — it reads no d, so never resumes — gets a
// new session and goes on receiving.
func TestInvalidateSession(t *testing.T) {
	t.Parallel()
	for name, invalidate := range map[string]func(*discordfake.Server){
		"not resumable": (*discordfake.Server).InvalidateSession,
		"resumable":     (*discordfake.Server).InvalidateResumable,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, dg := newFake(t, discordfake.Config{})
			ready := make(chan *discordgo.Ready, 2)
			dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
			c := collect(dg)
			open(t, dg, intents)
			r1 := recv(t, ready, "READY")
			invalidate(f)
			r2 := recv(t, ready, "a second READY")
			if r1.SessionID == r2.SessionID {
				t.Fatal("the new session has the old id")
			}
			ids := f.Identifies()
			if len(ids) != 2 || ids[1].SessionID != r2.SessionID || len(f.Resumes()) != 0 {
				t.Fatalf("identifies = %+v, resumes = %+v", ids, f.Resumes())
			}
			ev := f.Mention(discordfake.Ana, discordfake.General, "still there?")
			c.until(t, ev.ID)
		})
	}
}

// TestReconnectResumes: RECONNECT makes discordgo resume its session.
func TestReconnectResumes(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	c := collect(dg)
	open(t, dg, intents)
	f.Reconnect()
	waitFor(t, f, "the resume", func() bool { return len(f.Resumes()) == 1 && f.Connected() == 1 })
	if r := f.Resumes()[0]; !r.OK {
		t.Fatalf("resume = %+v", r)
	}
	ev := f.Mention(discordfake.Ana, discordfake.General, "back?")
	c.until(t, ev.ID)
}

// TestShards: each shard's session gets its guild's events; DMs go to
// shard 0.
func TestShards(t *testing.T) {
	t.Parallel()
	f := discordfake.New(discordfake.Config{Shards: 2})
	t.Cleanup(f.Close)
	guildID, _ := strconv.ParseUint(f.Config().GuildID, 10, 64)
	guildShard := int((guildID >> 22) % 2)
	var cs [2]*collector
	for i := range 2 {
		dg, err := f.Session()
		if err != nil {
			t.Fatal(err)
		}
		dg.ShardID, dg.ShardCount = i, 2
		cs[i] = collect(dg)
		open(t, dg, intents)
	}
	g := f.Mention(discordfake.Ana, discordfake.General, "guild")
	dm := f.DirectMessage(discordfake.Ana, "dm")
	if seen := cs[guildShard].until(t, g.ID); seen[g.ID] != 1 {
		t.Fatalf("shard %d: %v", guildShard, seen)
	}
	if seen := cs[0].until(t, dm.ID); seen[dm.ID] != 1 {
		t.Fatalf("shard 0: %v", seen)
	}
	if other := cs[1-guildShard]; len(other.ch) > 0 {
		if m := <-other.ch; m.ID == g.ID {
			t.Fatal("the guild's message reached the other shard")
		}
	}
	for _, id := range f.Identifies() {
		if id.Shard[1] != 2 {
			t.Fatalf("identify = %+v", id)
		}
	}
}

// TestMessageContentIntent: without MESSAGE_CONTENT a guild message
// arrives without content unless it mentions the bot; DMs keep theirs.
func TestMessageContentIntent(t *testing.T) {
	t.Parallel()
	f, dg := newFake(t, discordfake.Config{})
	c := collect(dg)
	open(t, dg, intents&^discordgo.IntentMessageContent)
	plain := f.ChannelMessage(discordfake.Ana, discordfake.General, "secret")
	mention := f.Mention(discordfake.Ana, discordfake.General, "visible")
	dm := f.DirectMessage(discordfake.Ana, "dm text")
	got := map[string]string{}
	for len(got) < 3 {
		m := recv(t, c.ch, "MESSAGE_CREATE")
		got[m.ID] = m.Content
	}
	if got[plain.ID] != "" || !strings.HasSuffix(got[mention.ID], "visible") || got[dm.ID] != "dm text" {
		t.Fatalf("contents = %q", got)
	}
}

// rawGateway dials the fake's gateway and reads HELLO.
func rawGateway(t *testing.T, f *discordfake.Server) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(f.GatewayURL()+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	var hello struct {
		Op int `json:"op"`
		D  struct {
			HeartbeatInterval int `json:"heartbeat_interval"`
		} `json:"d"`
	}
	if err := ws.ReadJSON(&hello); err != nil || hello.Op != 10 || hello.D.HeartbeatInterval != 1000 {
		t.Fatalf("HELLO = %+v, %v", hello, err)
	}
	return ws
}

type frameIn struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

// TestGatewayProtocol: the answers to heartbeats, a bad RESUME, a bad
// token, and intents the application was not granted.
func TestGatewayProtocol(t *testing.T) {
	t.Parallel()
	f := discordfake.New(discordfake.Config{MessageContent: discordfake.Denied})
	t.Cleanup(f.Close)

	ws := rawGateway(t, f)
	var in frameIn
	_ = ws.WriteJSON(map[string]any{"op": 1, "d": nil})
	if err := ws.ReadJSON(&in); err != nil || in.Op != 11 {
		t.Fatalf("heartbeat answered %+v, %v", in, err)
	}
	_ = ws.WriteJSON(map[string]any{"op": 6, "d": map[string]any{"token": f.Config().Token, "session_id": "nope", "seq": 3}})
	if err := ws.ReadJSON(&in); err != nil || in.Op != 9 || string(in.D) != "false" {
		t.Fatalf("bad RESUME answered %+v, %v", in, err)
	}

	for name, tc := range map[string]struct {
		identify map[string]any
		code     int
	}{
		"bad token":          {map[string]any{"token": "wrong", "intents": 513}, 4004},
		"disallowed intents": {map[string]any{"token": f.Config().Token, "intents": int(intents)}, 4014},
		"invalid shard":      {map[string]any{"token": f.Config().Token, "intents": 513, "shard": []int{2, 2}}, 4010},
	} {
		ws := rawGateway(t, f)
		_ = ws.WriteJSON(map[string]any{"op": 2, "d": tc.identify})
		_, _, err := ws.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != tc.code {
			t.Errorf("%s: %v, want close %d", name, err, tc.code)
		}
	}

	ws = rawGateway(t, f)
	_ = ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": "Bot " + f.Config().Token, "intents": 513}})
	if err := ws.ReadJSON(&in); err != nil || in.Op != 0 || *in.T != "READY" || *in.S != 1 {
		t.Fatalf("IDENTIFY answered %+v, %v", in, err)
	}
	if err := ws.ReadJSON(&in); err != nil || *in.T != "GUILD_CREATE" || *in.S != 2 {
		t.Fatalf("then %+v, %v", in, err)
	}
}
