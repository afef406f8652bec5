package octavia

import (
	"context"
	"slices"
	"sync"
)

// lockTable holds one FIFO lock per load balancer ID: the write queue.
// Entries exist only while someone holds or waits for them.
type lockTable struct {
	mu    sync.Mutex
	locks map[string]*fifoLock
}

type fifoLock struct {
	held    bool
	waiters []chan struct{} // in arrival order; closed to hand over
	refs    int             // holder + waiters
}

func newLockTable() *lockTable { return &lockTable{locks: map[string]*fifoLock{}} }

// lock waits for key's turn in arrival order, or for ctx to end. The
// returned function ends the turn (once; later calls do nothing).
func (t *lockTable) lock(ctx context.Context, key string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	l := t.locks[key]
	if l == nil {
		l = &fifoLock{}
		t.locks[key] = l
	}
	l.refs++
	if !l.held {
		l.held = true
		t.mu.Unlock()
		return t.unlocker(key, l), nil
	}
	ch := make(chan struct{})
	l.waiters = append(l.waiters, ch)
	t.mu.Unlock()

	select {
	case <-ch:
		return t.unlocker(key, l), nil
	case <-ctx.Done():
		t.mu.Lock()
		if i := slices.Index(l.waiters, ch); i >= 0 {
			l.waiters = slices.Delete(l.waiters, i, i+1)
			l.refs--
			t.mu.Unlock()
			return nil, ctx.Err()
		}
		t.mu.Unlock()
		// The turn was handed to us as ctx ended: pass it on.
		t.release(key, l)
		return nil, ctx.Err()
	}
}

func (t *lockTable) unlocker(key string, l *fifoLock) func() {
	var once sync.Once
	return func() { once.Do(func() { t.release(key, l) }) }
}

// release hands the turn to the first waiter, or frees the lock.
func (t *lockTable) release(key string, l *fifoLock) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l.refs--
	if len(l.waiters) > 0 {
		ch := l.waiters[0]
		l.waiters = slices.Delete(l.waiters, 0, 1)
		close(ch)
		return
	}
	l.held = false
	if l.refs == 0 {
		delete(t.locks, key)
	}
}

// size is the number of live entries (for tests).
func (t *lockTable) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.locks)
}
