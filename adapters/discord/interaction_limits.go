package discord

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/parleybot/parley/adapters/internal/platform"
)

// Discord limits an interaction's routes — its callback, the edits of its
// answer, its follow-ups — per interaction (their paths carry its id or
// token), outside the global limit. discordgo's helpers for them key its
// limiter either by the whole path, a bucket per interaction kept for
// ever, or by one key for every webhook edit of the bot, held for the
// whole request: every card update and slash answer would wait for the
// one before it, bot-wide. The adapter sends these requests itself
// through discordgo's RequestWithLockedBucket, with a bucket of the
// interaction's own:
//
//   - requests of one interaction go one after another and honour the
//     X-RateLimit headers Discord sends back (discordgo's Bucket reads
//     them); requests of different interactions never wait for each
//     other;
//   - a request waiting for its turn, for its bucket to refill or after a
//     429 gives up when its context ends;
//   - a bucket is kept while a request of its interaction is under way or
//     Discord holds the interaction back, and dropped after: the buckets
//     are as many as the interactions being answered, not ever answered.

// interactionBucket is one interaction's rate-limit bucket.
type interactionBucket struct {
	turn chan struct{}          // one request at a time; a waiter can give up
	lim  *discordgo.RateLimiter // the bucket's own: reads its wait
	b    *discordgo.Bucket
	// Under interactionBuckets.mu:
	users int  // requests using the bucket
	held  bool // Discord held the interaction back at the last answer
}

// interactionBuckets holds the buckets of the interactions being
// answered.
type interactionBuckets struct {
	mu sync.Mutex
	m  map[string]*interactionBucket
}

// use returns interaction id's bucket, made on first use; done is to be
// called once the request is over.
func (ib *interactionBuckets) use(id string) *interactionBucket {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.m == nil {
		ib.m = map[string]*interactionBucket{}
	}
	b, ok := ib.m[id]
	if !ok {
		lim := discordgo.NewRatelimiter()
		b = &interactionBucket{turn: make(chan struct{}, 1), lim: lim, b: lim.GetBucket("interactions/" + id)}
		ib.m[id] = b
	}
	b.users++
	return b
}

// done ends a request's use of interaction id's bucket; the last one
// drops it unless Discord holds the interaction back, and drops the idle
// buckets whose hold is over.
func (ib *interactionBuckets) done(id string, b *interactionBucket) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	b.users--
	for k, o := range ib.m {
		// An idle bucket is touched by no request: reading it is safe.
		if o.users == 0 && (!o.held || o.lim.GetWaitTime(o.b, 1) <= 0) {
			delete(ib.m, k)
		}
	}
}

// setHeld records, while the request holds b's turn, whether Discord
// holds the interaction back.
func (ib *interactionBuckets) setHeld(b *interactionBucket) {
	held := b.lim.GetWaitTime(b.b, 1) > 0
	ib.mu.Lock()
	b.held = held
	ib.mu.Unlock()
}

// len returns how many buckets are kept.
func (ib *interactionBuckets) len() int {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return len(ib.m)
}

// interactionTries bounds how often a request of an interaction is sent
// again after a 429.
const interactionTries = 4

// interactionRequest sends a JSON request on a route of interaction i in
// i's bucket and returns the answer's body.
func (a *Adapter) interactionRequest(ctx context.Context, i *discordgo.Interaction, method, url string, data any) ([]byte, error) {
	var body []byte
	if data != nil {
		var err error
		if body, err = discordgo.Marshal(data); err != nil {
			return nil, err
		}
	}
	ib := a.ibuckets.use(i.ID)
	defer a.ibuckets.done(i.ID, ib)
	for try := 1; ; try++ {
		select {
		case ib.turn <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if wait := ib.lim.GetWaitTime(ib.b, 1); wait > 0 {
			if err := platform.Sleep(ctx, wait); err != nil {
				<-ib.turn
				return nil, err
			}
		}
		ib.b.Lock() // RequestWithLockedBucket releases it
		ib.b.Remaining--
		resp, err := a.s.RequestWithLockedBucket(method, url, "application/json", body, ib.b, 0,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		a.ibuckets.setHeld(ib)
		<-ib.turn
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || try >= interactionTries {
			return resp, err
		}
		if err := platform.Sleep(ctx, max(rl.RetryAfter, time.Millisecond)); err != nil {
			return nil, err
		}
	}
}

// interactionRespond answers interaction i at once (its callback).
func (a *Adapter) interactionRespond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	_, err := a.interactionRequest(ctx, i, "POST", discordgo.EndpointInteractionResponse(i.ID, i.Token), resp)
	return err
}

// interactionEdit edits message id ("@original": the answer) that
// interaction i posted.
func (a *Adapter) interactionEdit(ctx context.Context, i *discordgo.Interaction, id string, e *discordgo.WebhookEdit) (*discordgo.Message, error) {
	body, err := a.interactionRequest(ctx, i, "PATCH", discordgo.EndpointWebhookMessage(i.AppID, i.Token, id), e)
	return messageOf(body, err)
}

// followUpCreate sends a follow-up message of interaction i.
func (a *Adapter) followUpCreate(ctx context.Context, i *discordgo.Interaction, p *discordgo.WebhookParams) (*discordgo.Message, error) {
	body, err := a.interactionRequest(ctx, i, "POST", discordgo.EndpointWebhookToken(i.AppID, i.Token)+"?wait=true", p)
	return messageOf(body, err)
}

// messageOf reads the message in an answer's body, unless err.
func messageOf(body []byte, err error) (*discordgo.Message, error) {
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := discordgo.Unmarshal(body, &m); err != nil {
		return nil, errors.Join(discordgo.ErrJSONUnmarshal, err)
	}
	return &m, nil
}
