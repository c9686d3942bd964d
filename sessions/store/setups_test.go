package store_test

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// Each section's setups are claimed once per session: of callers at once,
// one gets each section, and the answer keeps the order asked.
func TestClaimSetups(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/26"), Bits: 28}
	a, b := newSession(t, st, "claim-a", pool), newSession(t, st, "claim-b", pool)

	got, err := st.ClaimSetups(ctx, a.ID, []string{"intro", "two"})
	if err != nil || !slices.Equal(got, []string{"intro", "two"}) {
		t.Fatalf("first claim: %v, %v", got, err)
	}
	got, err = st.ClaimSetups(ctx, a.ID, []string{"intro", "two", "three"})
	if err != nil || !slices.Equal(got, []string{"three"}) {
		t.Fatalf("second claim: %v, %v", got, err)
	}
	// Another session claims its own.
	if got, err := st.ClaimSetups(ctx, b.ID, []string{"two"}); err != nil || !slices.Equal(got, []string{"two"}) {
		t.Fatalf("another session's claim: %v, %v", got, err)
	}

	const callers = 8
	wins := make([][]string, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := st.ClaimSetups(ctx, a.ID, []string{"four", "five"})
			if err != nil {
				t.Error(err)
			}
			wins[i] = got
		}()
	}
	wg.Wait()
	var all []string
	for _, w := range wins {
		all = append(all, w...)
	}
	slices.Sort(all)
	if !slices.Equal(all, []string{"five", "four"}) {
		t.Fatalf("concurrent claims gave %v, want each section once", all)
	}
}
