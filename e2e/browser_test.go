package e2e

// Headless Chromium for the tests that drive the pages: a browser per test,
// a tab per person, and the few ways a test acts on a tab (do, wait, eval).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/internal/waitfor"
)

// newTab starts headless Chromium with a fresh profile and returns a context
// of its first tab. The browser stops when the test ends.
func newTab(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("PLAYGROUND_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no Chromium at %s (set PLAYGROUND_CHROMIUM; make test installs it): %v", path, err)
	}
	// Puppeteer's defaults (headless; no throttling of a tab in the
	// background, which one person's tab is while another's acts).
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1500, 1000),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return tab
}

// newPersonTab opens a tab in the browser of tab, in a browser context of
// its own: its own cookies, like a different person's browser.
func newPersonTab(t testing.TB, tab context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// tabDo runs browser actions under a generous deadline.
func tabDo(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// tabWait waits until a JavaScript expression is true in the page, polled
// in the page itself. A page that navigates meanwhile (a form that leads to
// the next page) is waited on again once it has loaded; any other error
// fails the test at once.
func tabWait(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	waitfor.Until(t, what, 150*time.Second, func() error {
		// The browser polls for a while; the harness asks it again until
		// the timeout, so that a navigation costs no more than a retry.
		c, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		_, err := chromedp.Run(c, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second),
			chromedp.WithPollingInterval(100*time.Millisecond)))
		switch {
		case err == nil:
			return nil
		case ctx.Err() == nil && (errors.Is(err, chromedp.ErrPollingTimeout) || errors.Is(err, context.DeadlineExceeded)):
			return fmt.Errorf("still false: %v\n%s", err, tabState(ctx))
		case strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "context was destroyed") ||
			strings.Contains(err.Error(), "Cannot find context"):
			return fmt.Errorf("the page navigated: %v\n%s", err, tabState(ctx))
		}
		t.Fatalf("waiting for %s: %v\n%s", what, err, tabState(ctx))
		return err
	})
}

// tabState describes the page, for failure messages.
func tabState(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 3000)`))
	if err != nil {
		return "(page state unknown: " + err.Error() + ")"
	}
	return "page " + s
}

// tabEval evaluates an expression in the page, awaiting a promise.
func tabEval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// tabShot saves a screenshot of the page as NAME.png in the folder named by
// PLAYGROUND_E2E_SHOTS, when it is set: a way to look at what a test saw.
func tabShot(t testing.TB, ctx context.Context, name string) {
	dir := os.Getenv("PLAYGROUND_E2E_SHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
