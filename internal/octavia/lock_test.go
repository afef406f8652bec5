package octavia

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestLockIsFIFO(t *testing.T) {
	t.Parallel()
	tbl := newLockTable()
	release, err := tbl.lock(t.Context(), "lb")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			unlock, err := tbl.lock(t.Context(), "lb")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			unlock()
			unlock() // a second call does nothing
		})
		// Let waiter i queue before i+1.
		for {
			tbl.mu.Lock()
			n := len(tbl.locks["lb"].waiters)
			tbl.mu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	release()
	wg.Wait()
	if !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("order %v", order)
	}
	if tbl.size() != 0 {
		t.Errorf("%d entries left", tbl.size())
	}
}

func TestLockRespectsContext(t *testing.T) {
	t.Parallel()
	tbl := newLockTable()
	release, err := tbl.lock(t.Context(), "lb")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := tbl.lock(ctx, "lb"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// Other keys are independent.
	other, err := tbl.lock(t.Context(), "other")
	if err != nil {
		t.Fatal(err)
	}
	other()
	release()
	// The abandoned wait left nothing behind; the lock is free.
	again, err := tbl.lock(t.Context(), "lb")
	if err != nil {
		t.Fatal(err)
	}
	again()
	if tbl.size() != 0 {
		t.Errorf("%d entries left", tbl.size())
	}
}

func TestLockHandOverRacesWithCancel(t *testing.T) {
	t.Parallel()
	tbl := newLockTable()
	for range 200 {
		release, err := tbl.lock(t.Context(), "lb")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan func(), 1)
		go func() {
			unlock, err := tbl.lock(ctx, "lb")
			if err != nil {
				unlock = func() {}
			}
			done <- unlock
		}()
		go cancel()
		release()
		(<-done)()
		if tbl.size() != 0 {
			t.Fatalf("%d entries left", tbl.size())
		}
	}
}

func TestWriteGivesUpWaitingForTurn(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	lbID := f.addLB()
	poolID := f.addPool(lbID)
	c := f.client(t)
	hold, err := c.locks.lock(t.Context(), lbID)
	if err != nil {
		t.Fatal(err)
	}
	defer hold()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	err = c.DeletePool(ctx, poolID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if n := f.count("DELETE", "pools/"+poolID); n != 0 {
		t.Errorf("%d DELETEs sent out of turn", n)
	}
}
