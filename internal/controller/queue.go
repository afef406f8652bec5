package controller

import (
	"context"
	"sync"
	"time"
)

// queue hands out load balancer IDs to workers: a key is queued at most once,
// is never handed to two workers at once, and a key added while a worker
// holds it is handed out again after Done. Delayed adds (backoff) are held by
// timers the queue owns and stops on shutdown.
type queue struct {
	mu         sync.Mutex
	cond       *sync.Cond
	order      []string
	queued     map[string]bool
	processing map[string]bool
	dirty      map[string]bool
	timers     map[string]*time.Timer
	shutdown   bool
}

func newQueue() *queue {
	q := &queue{
		queued:     map[string]bool{},
		processing: map[string]bool{},
		dirty:      map[string]bool{},
		timers:     map[string]*time.Timer{},
	}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// Add queues key now.
func (q *queue) Add(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(key)
}

func (q *queue) addLocked(key string) {
	if q.shutdown {
		return
	}
	if t, ok := q.timers[key]; ok {
		t.Stop()
		delete(q.timers, key)
	}
	if q.processing[key] {
		q.dirty[key] = true
		return
	}
	if q.queued[key] {
		return
	}
	q.queued[key] = true
	q.order = append(q.order, key)
	q.cond.Signal()
}

// AddAfter queues key after d, unless it is added sooner.
func (q *queue) AddAfter(key string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.shutdown || q.queued[key] {
		return
	}
	if t, ok := q.timers[key]; ok {
		t.Stop()
	}
	q.timers[key] = time.AfterFunc(d, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		delete(q.timers, key)
		q.addLocked(key)
	})
}

// Get blocks until a key is available or the queue shuts down (ok false).
func (q *queue) Get() (key string, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.order) == 0 && !q.shutdown {
		q.cond.Wait()
	}
	if q.shutdown {
		return "", false
	}
	key = q.order[0]
	q.order = q.order[1:]
	delete(q.queued, key)
	q.processing[key] = true
	return key, true
}

// Done releases key; if it was added meanwhile it is queued again.
func (q *queue) Done(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.processing, key)
	if q.dirty[key] {
		delete(q.dirty, key)
		q.addLocked(key)
	}
}

// Len is the number of keys waiting (not the ones being processed).
func (q *queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.order)
}

// Shutdown wakes every Get with ok false and stops pending timers.
func (q *queue) Shutdown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.shutdown = true
	for k, t := range q.timers {
		t.Stop()
		delete(q.timers, k)
	}
	q.cond.Broadcast()
}

// shutdownOn shuts the queue down when ctx ends; it returns a function that
// waits for that watcher to finish.
func (q *queue) shutdownOn(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	release := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
			q.Shutdown()
		case <-release:
		}
	}()
	return func() {
		close(release)
		<-done
	}
}
