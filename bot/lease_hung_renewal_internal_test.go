package bot

import (
	"testing"
	"time"
)

// A renewal the loop began in time that hangs gives the lane up at the
// loop's first tick past two thirds of LeaseTTL since the last renewal, by
// this process's own clock: before the Store's lease (renewed + LeaseTTL
// by the Store's clock, later still) lapses and another process takes the
// thread. Waiting for the hung call's own timeout (a third of the TTL from
// its start, which comes up to half the TTL after the last renewal) would
// give the lane up as late as the lease lapses, or after.
func TestARenewalHungInTimeGivesTheLaneUpBeforeTheLeaseLapses(t *testing.T) {
	const ttl = 600 * time.Millisecond
	tick := ttl / 6
	t0 := time.Unix(1_000_000, 0)
	// The loop's ticks fall anywhere against the last renewal; the
	// renewal that hangs began a moment after the tick that found it due.
	for phase := time.Duration(0); phase < tick; phase += tick / 10 {
		l := &lane{renewed: t0}
		gaveUp := time.Duration(-1)
		for now := t0.Add(phase); now.Before(t0.Add(2 * ttl)); now = now.Add(tick) {
			switch v := l.renewVerdict(now, ttl); v {
			case renewDue:
				l.renewing, l.renewStart = true, now.Add(time.Microsecond)
				continue
			case renewNothing:
				continue
			case renewStoreLost:
				gaveUp = now.Sub(t0)
			default:
				t.Fatalf("phase %v: verdict %d at %v, want the lane given up for the Store", phase, v, now.Sub(t0))
			}
			break
		}
		if gaveUp < 0 || gaveUp > 5*ttl/6 {
			t.Errorf("phase %v: the lane is given up %v after its last renewal, want at the first tick past %v (by %v); the Store's lease lapses at %v", phase, gaveUp, 2*ttl/3, 5*ttl/6, ttl)
		}
	}
}

// A renewal begun once the lease had lapsed by this process's own clock —
// as a process woken from a pause begins one — is waited for, within its
// own timeout: its answer says whether another process took the thread
// (then the lane is given up quietly), not the Store's absence.
func TestARenewalBegunPastTheLeaseIsWaitedForWithinItsTimeout(t *testing.T) {
	const ttl = 600 * time.Millisecond
	t0 := time.Unix(1_000_000, 0)
	woke := t0.Add(3 * ttl)
	l := &lane{renewed: t0, renewing: true, renewStart: woke}
	for _, after := range []time.Duration{0, ttl / 6, ttl / 3} {
		if v := l.renewVerdict(woke.Add(after), ttl); v != renewNothing {
			t.Errorf("%v after the renewal began: verdict %d, want it waited for", after, v)
		}
	}
	if v := l.renewVerdict(woke.Add(ttl/3+time.Millisecond), ttl); v != renewStoreLost {
		t.Errorf("past the renewal's own timeout: verdict %d, want the lane given up for the Store", v)
	}
}

// A renewal begun late but while the Store's lease may still hold — one
// held() began just past two thirds of the TTL, before the loop's next
// tick — is not waited for: the loop gives the lane up at its tick, before
// the lease lapses, as it does for a renewal of its own that hangs.
func TestARenewalBegunBeforeTheLeaseLapsesIsNotWaitedFor(t *testing.T) {
	const ttl = 600 * time.Millisecond
	t0 := time.Unix(1_000_000, 0)
	l := &lane{renewed: t0, renewing: true, renewStart: t0.Add(2*ttl/3 + time.Millisecond)}
	if v := l.renewVerdict(t0.Add(5*ttl/6), ttl); v != renewStoreLost {
		t.Errorf("at the first tick past two thirds of the TTL: verdict %d, want the lane given up for the Store", v)
	}
}
