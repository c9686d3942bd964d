package e2e

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/labs"
)

// The home page's lab picker in Chromium: every built-in lab as a card,
// grouped by level in order; a search that narrows the cards to the labs
// matching it (in French too, accents or not), choosing one in view; a
// search that matches nothing, which holds Start back; and a lab chosen by
// a click that Start opens.
func TestHomeLabPicker(t *testing.T) {
	h := newHarness(t)
	all := labs.Builtin().List()
	tab := newTab(t)
	tabDo(t, tab, "open the home page",
		chromedp.Navigate(h.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)),
	)
	pickHomeLang(t, tab, "en")
	tabWait(t, tab, "every lab shown", `document.querySelectorAll('[data-testid="lab-card"]').length === `+strconv.Itoa(len(all)))
	if got := tabEval[string](t, tab, `document.querySelector('[data-testid="home-lab"]').value`); got != "docker-orchestration" {
		t.Errorf("the lab chosen at first is %q, want the default, docker-orchestration", got)
	}
	var levels []string
	for _, l := range all {
		if !slices.Contains(levels, l.Level) {
			levels = append(levels, l.Level)
		}
	}
	slices.SortFunc(levels, func(a, b string) int { return slices.Index(labs.Levels, a) - slices.Index(labs.Levels, b) })
	if got := tabEval[[]string](t, tab, `[...document.querySelectorAll('.lab-group')].map((g) => g.dataset.level)`); !slices.Equal(got, levels) {
		t.Errorf("groups %v, want the levels of the labs in order, %v", got, levels)
	}
	meta := tabEval[string](t, tab, `document.querySelector('[data-testid="lab-card"][data-slug="docker-build"] .lab-card-meta').textContent`)
	if meta != "Intermediate · about 30 min · 1 node · EN FR" {
		t.Errorf("docker-build's card says %q", meta)
	}

	// Typing narrows the cards to the labs whose title, slug, level or
	// languages hold the words, and chooses one of them.
	tabDo(t, tab, "search for build", chromedp.SendKeys(`[data-testid="lab-search"]`, "build"))
	want := matching(all, "build")
	if len(want) == 0 || len(want) == len(all) {
		t.Fatalf("the search for build would match %v: no narrowing to see", want)
	}
	tabWait(t, tab, "the cards narrowed", shownSlugs+` === `+jsString(strings.Join(want, " ")))
	if got := tabEval[string](t, tab, `document.querySelector('[data-testid="home-lab"]').value`); !slices.Contains(want, got) {
		t.Errorf("with the search for build, the lab chosen is %q, not one in view (%v)", got, want)
	}
	setSearch(t, tab, "no-such-lab-at-all")
	tabWait(t, tab, "nothing matches", `document.querySelectorAll('[data-testid="lab-card"]').length === 0 &&
		!document.querySelector('[data-testid="lab-none"]').hidden && document.querySelector('[data-testid="start-session"]').disabled`)

	// In French, the levels are French words, found with or without
	// their accents.
	pickHomeLang(t, tab, "fr")
	setSearch(t, tab, "intermediaire")
	var inter []string
	for _, l := range all {
		if l.Level == "intermediate" {
			inter = append(inter, l.Slug)
		}
	}
	tabWait(t, tab, "the intermediate labs", shownSlugs+` === `+jsString(strings.Join(inter, " ")))

	// A click chooses a lab; Start opens it.
	setSearch(t, tab, "")
	tabDo(t, tab, "choose docker-health", chromedp.Click(chromedp.CSS(`[data-testid="lab-card"][data-slug="docker-health"]`)))
	tabWait(t, tab, "docker-health chosen", `document.querySelector('[data-testid="home-lab"]').value === 'docker-health' &&
		document.querySelector('[data-testid="lab-card"][data-slug="docker-health"]').classList.contains('chosen')`)
	tabShot(t, tab, "home-picker")
	tabDo(t, tab, "start", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	tabWait(t, tab, "the session of docker-health", `location.pathname.startsWith('/s/') && !!window.playground &&
		window.playground.connected('node1') && (document.querySelector('.lab-title')?.textContent || '').includes('santé')`)
	p := &page{t: t, ctx: tab}
	id := strings.TrimPrefix(tabEval[string](t, tab, `location.pathname`), "/s/")
	lab := tabEval[string](t, tab, `fetch('/api/sessions/'+`+jsString(id)+`).then((r) => r.json()).then((s) => s.lab + ' ' + s.lang)`)
	if lab != "docker-health fr" {
		t.Errorf("the session started is of %q, want docker-health fr", lab)
	}
	p.endSession(id)
}

// matching returns the slugs of the labs whose title, slug, level or
// languages hold word, in the English page, as the picker's search does.
func matching(all []*labs.Lab, word string) []string {
	var out []string
	for _, l := range all {
		text := strings.ToLower(strings.Join(append([]string{l.Title, l.Slug, l.Level}, l.Langs...), " "))
		if strings.Contains(text, word) {
			out = append(out, l.Slug)
		}
	}
	return out
}

// setSearch puts text in the picker's search box, as typing would.
func setSearch(t *testing.T, tab context.Context, text string) {
	t.Helper()
	tabEval[bool](t, tab, `(() => {
		const s = document.querySelector('[data-testid="lab-search"]');
		s.value = `+jsString(text)+`;
		s.dispatchEvent(new Event('input'));
		return true;
	})()`)
}

// shownSlugs is a script that answers the slugs of the cards shown, sorted
// and joined by spaces.
const shownSlugs = `[...document.querySelectorAll('[data-testid="lab-card"]')].map((c) => c.dataset.slug).sort().join(' ')`
