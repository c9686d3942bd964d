package e2e

// The helpers that read and drive the session page through its test hooks
// (window.playground, see web/src/session.js) and real input events.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/labplay/playground/internal/waitfor"
)

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// page drives one session page in a tab.
type page struct {
	t        *testing.T
	ctx      context.Context
	markers  int    // commands run through shell so far, for unique markers
	lastLine string // the last line shell typed, without its return
}

// startFromHome opens the home page, picks the language, clicks Start and
// waits for the session page with its three terminals connected. It
// returns the session's id.
func startFromHome(t *testing.T, ctx context.Context, base, lang string) (*page, string) {
	t.Helper()
	tabDo(t, ctx, "open the home page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="start-session"]`)),
	)
	pickHomeLang(t, ctx, lang)
	tabDo(t, ctx, "start a session", chromedp.Click(chromedp.CSS(`[data-testid="start-session"]`)))
	p := &page{t: t, ctx: ctx}
	p.waitConnected()
	id := strings.TrimPrefix(tabEval[string](t, ctx, `location.pathname`), "/s/")
	if id == "" || strings.Contains(id, "/") {
		t.Fatalf("landed on %q, not a session page", tabEval[string](t, ctx, `location.href`))
	}
	return p, id
}

// pickHomeLang chooses the language on the home page, as the learner's
// select does.
func pickHomeLang(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	tabEval[bool](t, ctx, `(() => {
		const s = document.querySelector('[data-testid="home-lang"]');
		s.value = `+jsString(lang)+`;
		s.dispatchEvent(new Event('change'));
		return true;
	})()`)
}

// waitConnected waits for a session page whose three terminals are
// connected.
func (p *page) waitConnected() {
	p.t.Helper()
	tabWait(p.t, p.ctx, "the three terminals connected", `location.pathname.startsWith('/s/') && !!window.playground &&
		['node1', 'node2', 'node3'].every((n) => window.playground.connected(n))`)
}

// text returns the text of a node's terminal buffer.
func (p *page) text(node string) string {
	p.t.Helper()
	return tabEval[string](p.t, p.ctx, `window.playground.text(`+jsString(node)+`)`)
}

// waitText polls a node's terminal until cond holds for its text, and
// returns that text. what names the wait in the failure message.
func (p *page) waitText(node, what string, cond func(string) bool) string {
	p.t.Helper()
	var s string
	waitfor.Until(p.t, what+" in "+node+"'s terminal", 2*time.Minute, func() error {
		s = p.text(node)
		if !cond(s) {
			return fmt.Errorf("it shows:\n%s", lastLines(s, 40))
		}
		return nil
	})
	return s
}

// typeKeys focuses a node's terminal with a real click and types s as key
// events, the way a learner types.
func (p *page) typeKeys(node, s string) {
	p.t.Helper()
	sel := `[data-testid="terminal-` + node + `"] .xterm-screen`
	tabDo(p.t, p.ctx, "click "+node+"'s terminal", chromedp.Click(chromedp.CSS(sel)))
	tabWait(p.t, p.ctx, node+"'s terminal focused", `!!document.activeElement &&
		document.activeElement.classList.contains('xterm-helper-textarea') &&
		!!document.activeElement.closest('[data-testid="terminal-`+node+`"]')`)
	tabDo(p.t, p.ctx, "type into "+node, keystrokes(s))
}

// keystrokes types s with one key press per character, the way a keyboard
// does: a keydown that carries the text, then a keyup. (chromedp.KeyEvent
// sends a separate char event instead, which xterm.js, handling the
// keydown itself, would take as a second keystroke.)
func keystrokes(s string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range s {
			down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown,
				Key: string(r), Text: string(r), UnmodifiedText: string(r)}
			if k, ok := kb.Keys[r]; ok {
				down.Key, down.Code = k.Key, k.Code
				down.WindowsVirtualKeyCode, down.NativeVirtualKeyCode = k.Windows, k.Native
				down.Text, down.UnmodifiedText = k.Text, k.Unmodified
				if k.Shift {
					down.Modifiers = int64(kb.ModifierShift)
				}
			}
			if down.Text == "" {
				down.Type = input.DispatchKeyEventTypeRawKeyDown
			}
			up := down
			up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
			for _, ev := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// send types s into a node's terminal through the page's test hook.
func (p *page) send(node, s string) {
	p.t.Helper()
	tabEval[bool](p.t, p.ctx, `(window.playground.send(`+jsString(node)+`, `+jsString(s)+`), true)`)
}

// shell runs cmd in a node's shell, typed with real keys when typed is
// set, else through the test hook, and returns what it printed and its
// exit status. A marker echoed after the command, spelled so that the
// typed line does not contain it, tells where the output ends.
func (p *page) shell(node, cmd string, typed bool) (string, int) {
	p.t.Helper()
	p.waitText(node, "a prompt", atPrompt)
	p.markers++
	tag := "@@e2e" + strconv.Itoa(p.markers)
	p.lastLine = cmd + `; echo "` + tag[:4] + `""` + tag[4:] + `:$?"`
	if typed {
		p.typeKeys(node, p.lastLine+"\r")
	} else {
		p.send(node, p.lastLine+"\r")
	}
	done := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tag) + `:(\d+)$`)
	text := p.waitText(node, "the end of "+strconv.Quote(cmd), done.MatchString)
	return commandOutput(text, tag[:4]+`""`+tag[4:], done)
}

// commandOutput cuts out of a terminal's text the lines between the prompt
// line holding echoed and the marker line matched by done, and the exit
// status the marker carries.
func commandOutput(text, echoed string, done *regexp.Regexp) (string, int) {
	lines := strings.Split(text, "\n")
	end := -1
	code := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if m := done.FindStringSubmatch(lines[i]); m != nil {
			end = i
			code, _ = strconv.Atoi(m[1])
			break
		}
	}
	start := end - 1
	for start >= 0 && !(promptRE.MatchString(lines[start]) && strings.Contains(lines[start], echoed)) {
		start--
	}
	if end < 0 {
		return "", code
	}
	return strings.Join(lines[start+1:end], "\n"), code
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// promptRE matches the shell prompt of a node, "[node1] ~ $ ", at the
// start of a line (deploy/node/bashrc).
var promptRE = regexp.MustCompile(`(?m)^\[node[0-9]+\] \S+ \$`)

// prompts counts the prompt lines of a terminal's text.
func prompts(text string) int {
	return len(promptRE.FindAllStringIndex(text, -1))
}

// atPrompt reports whether the terminal's last line is a prompt with
// nothing typed after it.
func atPrompt(text string) bool {
	last := text[strings.LastIndex(text, "\n")+1:]
	return promptRE.MatchString(last) && strings.HasSuffix(strings.TrimRight(last, " "), "$")
}

// endSession ends the session from the page, as its owner, and fails the
// test unless the server says it did.
func (p *page) endSession(id string) {
	p.t.Helper()
	status := tabEval[int](p.t, p.ctx, `fetch('/api/sessions/'+`+jsString(id)+`, {method: 'DELETE', credentials: 'same-origin'}).then((r) => r.status)`)
	if status != 204 {
		p.t.Fatalf("DELETE /api/sessions/%s answered %d, want 204", id, status)
	}
}

// screenshot saves a full-page screenshot under the temporary directory
// and returns its path.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	c, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	b, err := chromedp.Run(c, chromedp.FullScreenshot(100)) // quality 100 makes a PNG
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := fmt.Sprintf("%s/playground-e2e-%s.png", os.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p.t.Logf("screenshot: %s", path)
	return path
}
