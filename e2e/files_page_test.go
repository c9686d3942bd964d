package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/labplay/playground/internal/waitfor"
)

// ctrlShift presses Ctrl+Shift and a letter in the focused element, as a
// keyboard does.
func ctrlShift(letter string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		upper := strings.ToUpper(letter)
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: upper, Code: "Key" + upper,
			WindowsVirtualKeyCode: int64(upper[0]), NativeVirtualKeyCode: int64(upper[0]), Modifiers: 2 | 8}
		up := down
		up.Type = input.DispatchKeyEventTypeKeyUp
		for _, ev := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// In the page: a file picked for node1 lands in the shell's working
// directory, a file dropped on the terminal too, and one downloaded by path
// from the terminal's menu arrives whole in the browser; a selection is
// copied, Ctrl+Shift+C copies and Ctrl+Shift+V pastes into the shell, and a
// lab code block's Copy button copies its command.
func TestFilesAndClipboardInThePage(t *testing.T) {
	h := newHarness(t)
	ctx := newTab(t)
	downloads := t.TempDir()
	tabDo(t, ctx, "let the page use the clipboard and download",
		chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
			for _, name := range []string{"clipboard-read", "clipboard-write"} {
				if _, err := cdp.Call(c, tg, browser.SetPermission, browser.SetPermissionParams{
					Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
					Setting:    browser.PermissionSettingGranted, Origin: h.base}); err != nil {
					return err
				}
			}
			return nil
		}),
		chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(c, tg, browser.SetDownloadBehavior,
				browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}))
	p, id := startFromHome(t, ctx, h.base, "en")
	defer p.endSession(id)

	// Pick a file: it lands in the shell's directory, here /tmp/work.
	p.shell("node1", "mkdir -p /tmp/work && cd /tmp/work", false)
	local := filepath.Join(t.TempDir(), "picked.bin")
	data := []byte(strings.Repeat("playground upload\n", 60000)) // about 1 MiB
	if err := os.WriteFile(local, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	tabDo(t, ctx, "pick a file for node1", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="upload-input"][data-node="node1"]`), []string{local}, chromedp.NodeReady))
	tabWait(t, ctx, "the upload's notice", `document.querySelector('[data-testid="terminal-node1"] .term-notice').textContent.includes('/tmp/work/picked.bin')`)
	if out, _ := p.shell("node1", "sha256sum picked.bin", false); !strings.Contains(out, hex.EncodeToString(sum[:])) {
		t.Fatalf("the uploaded file's sum: %q, want %x", out, sum)
	}

	// Drop a file on node2's terminal.
	tabEval[bool](t, ctx, `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(['dropped on node2\n'], 'dropped.txt'));
		const el = document.querySelector('[data-testid="terminal-node2"] .term-body');
		for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
		return true;
	})()`)
	tabWait(t, ctx, "the drop's notice", `document.querySelector('[data-testid="terminal-node2"] .term-notice').textContent.includes('/root/dropped.txt')`)
	if out, _ := p.shell("node2", "cat /root/dropped.txt", false); !strings.Contains(out, "dropped on node2") {
		t.Fatalf("the dropped file holds %q", out)
	}

	// Download it back through the terminal's menu.
	tabEval[bool](t, ctx, `(document.querySelector('[data-testid="terminal-node2"] .term-body').dispatchEvent(
		new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 300, clientY: 300 })), true)`)
	tabDo(t, ctx, "choose Download a file", chromedp.Click(chromedp.CSS(`[data-testid="terminal-menu"]:not([hidden]) [data-testid="menu-downloadFile"]`)))
	tabDo(t, ctx, "ask for a missing file",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="terminal-node2"] [data-testid="download-path"]`), "/root/nothing-here"),
		chromedp.Click(chromedp.CSS(`[data-testid="terminal-node2"] [data-testid="download-file"]`)))
	tabWait(t, ctx, "the missing file's notice", `document.querySelector('[data-testid="terminal-node2"] .term-notice').textContent.includes('There is no file /root/nothing-here')`)

	tabDo(t, ctx, "type the path and download",
		chromedp.SetValue(chromedp.CSS(`[data-testid="terminal-node2"] [data-testid="download-path"]`), "/root/dropped.txt"),
		chromedp.Click(chromedp.CSS(`[data-testid="terminal-node2"] [data-testid="download-file"]`)))
	waitfor.Until(t, "a whole download of dropped.txt", 30*time.Second, func() error {
		got, err := os.ReadFile(filepath.Join(downloads, "dropped.txt"))
		if err == nil && string(got) != "dropped on node2\n" {
			err = fmt.Errorf("it holds %q", got)
		}
		return err
	})

	// A selection is copied as it is made; Ctrl+Shift+C copies it again.
	p.shell("node3", "echo copy-me-$((3*4))", false)
	tabDo(t, ctx, "focus node3", chromedp.Click(chromedp.CSS(`[data-testid="terminal-node3"] .xterm-screen`)))
	tabEval[bool](t, ctx, `(window.playground.terminals.node3.selectAll(), true)`)
	tabWait(t, ctx, "the selection on the clipboard", `navigator.clipboard.readText().then((s) => s.includes('copy-me-12'))`)
	tabEval[bool](t, ctx, `navigator.clipboard.writeText('').then(() => true)`)
	tabDo(t, ctx, "press Ctrl+Shift+C", ctrlShift("c"))
	tabWait(t, ctx, "Ctrl+Shift+C's copy", `navigator.clipboard.readText().then((s) => s.includes('copy-me-12'))`)
	if strings.Contains(p.text("node3"), "^C") {
		t.Error("Ctrl+Shift+C reached the shell as Ctrl-C")
	}

	// Ctrl+Shift+V pastes into the shell.
	tabEval[bool](t, ctx, `(window.playground.terminals.node3.clearSelection(), navigator.clipboard.writeText('echo pasted-$((5*5))').then(() => true))`)
	tabDo(t, ctx, "press Ctrl+Shift+V, then Enter", ctrlShift("v"))
	p.waitText("node3", "the pasted command", func(s string) bool { return strings.Contains(s, "echo pasted-$((5*5))") })
	tabDo(t, ctx, "press Enter", keystrokes("\r"))
	p.waitText("node3", "the pasted command's output", func(s string) bool { return strings.Contains(s, "\npasted-25") })

	// A lab code block's Copy button.
	want := tabEval[string](t, ctx, `document.querySelector('.run-block pre code').textContent`)
	tabDo(t, ctx, "click the first Copy button of the lab", chromedp.Click(chromedp.CSS(`.run-block [data-testid="copy-code"]`)))
	tabWait(t, ctx, "the block's command on the clipboard", `navigator.clipboard.readText().then((s) => s === `+jsString(want)+`)`)
}
