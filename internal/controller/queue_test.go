package controller

import (
	"sync"
	"testing"
	"time"
)

func TestQueueDedupAndDirty(t *testing.T) {
	t.Parallel()
	q := newQueue()
	q.Add("a")
	q.Add("a")
	q.Add("b")
	if n := q.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	k, ok := q.Get()
	if !ok || k != "a" {
		t.Fatalf("Get = %q %v", k, ok)
	}
	q.Add("a") // while processing: handed out again after Done, not before
	k2, _ := q.Get()
	if k2 != "b" {
		t.Fatalf("second Get = %q, want b", k2)
	}
	if n := q.Len(); n != 0 {
		t.Fatalf("Len while a is processed = %d, want 0", n)
	}
	q.Done("a")
	if n := q.Len(); n != 1 {
		t.Fatalf("Len after Done(a) = %d, want 1", n)
	}
	q.Done("b")
	if k, _ := q.Get(); k != "a" {
		t.Fatalf("Get = %q, want a", k)
	}
}

func TestQueueAddAfterAndShutdown(t *testing.T) {
	t.Parallel()
	q := newQueue()
	q.AddAfter("x", 20*time.Millisecond)
	got := make(chan string, 1)
	go func() {
		k, _ := q.Get()
		got <- k
	}()
	select {
	case k := <-got:
		if k != "x" {
			t.Fatalf("Get = %q", k)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("delayed key never handed out")
	}
	q.AddAfter("y", time.Hour)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, ok := q.Get(); ok {
			t.Error("Get after Shutdown returned a key")
		}
	}()
	q.Shutdown()
	wg.Wait()
}

func TestQueueNoKeyTwice(t *testing.T) {
	t.Parallel()
	q := newQueue()
	var mu sync.Mutex
	holding := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, ok := q.Get()
				if !ok {
					return
				}
				mu.Lock()
				if holding[k] {
					t.Errorf("key %s handed to two workers", k)
				}
				holding[k] = true
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				delete(holding, k)
				mu.Unlock()
				q.Done(k)
			}
		}()
	}
	for i := 0; i < 200; i++ {
		q.Add([]string{"a", "b", "c"}[i%3])
	}
	deadline := time.Now().Add(5 * time.Second)
	for q.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	q.Shutdown()
	wg.Wait()
}
