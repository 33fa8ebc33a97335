package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleybot/parley/bot"
)

// TestAcceptRacingReleaseStrandsNothing queues items in one lane from
// two Stores while a third works the lane as a bot does — it claims the
// lane only when Lapsed lists it, and works it until it releases it
// empty. Every item must be handed out exactly once: an item queued
// while the lane was being released must be seen by the release or be
// left where Lapsed finds it.
func TestAcceptRacingReleaseStrandsNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	producers := []bot.Store{openStore(t, schema), openStore(t, schema)}
	worker := openStore(t, schema)
	const lane, perProducer = "lane-1", 60
	var wg sync.WaitGroup
	for p, s := range producers {
		wg.Go(func() {
			for i := range perProducer {
				it := bot.WorkItem{ID: fmt.Sprintf("p%d-%d", p, i), Lane: lane, Kind: bot.WorkMessage}
				if _, err := s.Accept(ctx, bot.Acceptance{Item: it}); err != nil {
					t.Errorf("Accept: %v", err)
					return
				}
			}
		})
	}
	produced := make(chan struct{})
	go func() { wg.Wait(); close(produced) }()

	handed := map[string]int{}
	const total = 2 * perProducer
	for deadline := time.Now().Add(20 * time.Second); len(handed) < total; {
		finished := false
		select {
		case <-produced:
			finished = true
		default:
		}
		lapsed, err := worker.Lapsed(ctx, time.Now(), 10)
		if err != nil {
			t.Fatalf("Lapsed: %v", err)
		}
		if len(lapsed) == 0 {
			if finished || time.Now().After(deadline) {
				break // nothing more will show
			}
			continue
		}
		c, err := worker.Claim(ctx, lane, "w", time.Minute)
		if err != nil {
			t.Fatalf("Claim of a lapsed lane: %v", err)
		}
		for c.Held() {
			var ids []string
			for _, it := range c.Items {
				handed[it.ID]++
				ids = append(ids, it.ID)
			}
			if c, err = worker.Complete(ctx, c.Lease, bot.Completion{Done: ids, TTL: time.Minute}); err != nil {
				t.Fatalf("Complete: %v", err)
			}
		}
	}
	<-produced
	for p := range producers {
		for i := range perProducer {
			if id := fmt.Sprintf("p%d-%d", p, i); handed[id] != 1 {
				t.Errorf("item %s handed out %d times, want once", id, handed[id])
			}
		}
	}
}

// lockWaiters counts the server processes waiting for a lock in a
// statement on schema.
func lockWaiters(t *testing.T, admin *pgx.Conn, schema string) int {
	t.Helper()
	var n int
	err := admin.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock' AND strpos(query, $1) > 0`, schema).Scan(&n)
	if err != nil {
		t.Fatalf("reading pg_stat_activity: %v", err)
	}
	return n
}

// TestReleaseWaitsForAnAcceptInFlight holds an Accept mid-transaction —
// its item queued but not committed — while the lane's holder completes
// with nothing left and would release the lane. The release must wait
// for the Accept and then hand its item out, not release the lane
// without it (stranding it where Lapsed does not look).
func TestReleaseWaitsForAnAcceptInFlight(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	schema := newSchema(t)
	worker, producer := openStore(t, schema), openStore(t, schema)
	const lane, thread = "lane-1", "th-1"
	if err := producer.Record(ctx, thread, nil, 10); err != nil {
		t.Fatal(err)
	}
	c, err := worker.Claim(ctx, lane, "w", time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	// The Accept records in the thread after queuing its item: holding
	// the thread's row holds the Accept there. (The lock is held on a
	// connection other than the one watching pg_stat_activity: a
	// transaction sees one snapshot of it.)
	admin, locker := connect(t), connect(t)
	hold, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(context.Background())
	if _, err := hold.Exec(ctx, `SELECT 1 FROM `+pgx.Identifier{schema, "threads"}.Sanitize()+` WHERE thread = $1 FOR UPDATE`, thread); err != nil {
		t.Fatal(err)
	}
	accepted := make(chan error, 1)
	go func() {
		_, err := producer.Accept(ctx, bot.Acceptance{
			Item:   bot.WorkItem{ID: "i1", Lane: lane, Kind: bot.WorkMessage},
			Record: &bot.Message{ID: "m1", Text: "hi"}, Thread: thread, Keep: 10,
		})
		accepted <- err
	}()
	waitFor(t, "the Accept to wait for the thread", func() bool { return lockWaiters(t, admin, schema) == 1 })

	type result struct {
		c   bot.Claimed
		err error
	}
	completed := make(chan result, 1)
	go func() {
		got, err := worker.Complete(ctx, c.Lease, bot.Completion{TTL: time.Minute})
		completed <- result{got, err}
	}()
	var early *result
	waitFor(t, "the Complete to wait for the Accept", func() bool {
		select {
		case r := <-completed:
			early = &r // it did not wait
			return true
		default:
			return lockWaiters(t, admin, schema) == 2
		}
	})
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-accepted; err != nil {
		t.Fatalf("Accept: %v", err)
	}
	r := early
	if r == nil {
		r = new(<-completed)
	}
	if r.err != nil {
		t.Fatalf("Complete: %v", r.err)
	}
	if early != nil || !r.c.Held() || len(r.c.Items) != 1 || r.c.Items[0].ID != "i1" {
		lapsed, _ := worker.Lapsed(ctx, time.Now(), 10)
		t.Errorf("Complete during an Accept in flight = %+v (waited: %v); want the lane kept and i1 handed out (Lapsed now: %q)", r.c, early == nil, lapsed)
	}
}

// connect opens a connection to the tests' server for the test.
func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), testURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// waitFor polls cond until it holds, failing the test after a while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
