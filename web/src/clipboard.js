// Copy and paste in a node's terminal, the way browser terminals usually
// do it: a selection is copied as soon as it is made, Ctrl+Shift+C copies
// and Ctrl+Shift+V pastes (plain Ctrl+C and Ctrl+V stay the shell's), and a
// right click opens a small menu with the same actions.

import { t } from './i18n.js';

const SELECT_COPY_DELAY = 150;

// copyText puts text on the clipboard. The asynchronous clipboard API needs
// a secure page (https, or http on localhost); elsewhere the older copy
// command of a hidden text area does it, while the learner's click or key
// press still counts as a user gesture.
export async function copyText(text) {
  if (!text) return false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, page not focused): try the old way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

// readClipboard returns the clipboard's text, or null when the browser
// does not let the page read it (then its own paste, Ctrl+V or the browser
// menu, still works: xterm takes the paste event).
export async function readClipboard() {
  if (!navigator.clipboard?.readText || !window.isSecureContext) return null;
  try {
    return await navigator.clipboard.readText();
  } catch {
    return null;
  }
}

// attachClipboard wires copy and paste into a NodeTerminal.
export function attachClipboard(nt) {
  const term = nt.term;
  let selectTimer = 0;
  term.onSelectionChange(() => {
    clearTimeout(selectTimer);
    selectTimer = setTimeout(() => {
      const text = term.getSelection();
      if (text) copyText(text);
    }, SELECT_COPY_DELAY);
  });
  term.attachCustomKeyEventHandler((ev) => {
    if (ev.type !== 'keydown' || !ev.ctrlKey || !ev.shiftKey || ev.altKey || ev.metaKey) return true;
    const key = ev.key.toLowerCase();
    if (key === 'c') {
      ev.preventDefault();
      copySelection(nt);
      return false;
    }
    if (key === 'v') {
      // Read the clipboard ourselves where the browser allows it; else let
      // the browser's own paste reach xterm.
      if (navigator.clipboard?.readText && window.isSecureContext) {
        ev.preventDefault();
        pasteInto(nt);
      }
      return false;
    }
    return true;
  });
  const menu = buildMenu(nt);
  nt.body.addEventListener('contextmenu', (ev) => {
    ev.preventDefault();
    menu.open(ev.clientX, ev.clientY);
  });
}

// copySelection copies the terminal's selection and says so.
async function copySelection(nt) {
  const text = nt.term.getSelection();
  if (!text) {
    nt.notice(t('nothingSelected'));
    return;
  }
  nt.notice(await copyText(text) ? t('copied') : t('copyFailed'));
}

// pasteInto pastes the clipboard's text into the shell, as typed (xterm
// wraps it for bracketed paste when the shell asked for that).
async function pasteInto(nt) {
  if (nt.term.options.disableStdin) return;
  const text = await readClipboard();
  if (text === null) {
    nt.notice(t('pasteBlocked'));
    return;
  }
  if (text) nt.term.paste(text);
  nt.term.focus();
}

// buildMenu makes the terminal's right-click menu. Each item is an action
// of the panel; upload and download come from transfer.js through nt.
function buildMenu(nt) {
  const el = document.createElement('div');
  el.className = 'term-menu';
  el.hidden = true;
  el.setAttribute('role', 'menu');
  el.dataset.testid = 'terminal-menu';
  const items = [
    ['copy', () => copySelection(nt), () => !nt.term.hasSelection()],
    ['paste', () => pasteInto(nt), () => !!nt.term.options.disableStdin],
    ['selectAll', () => nt.term.selectAll(), () => false],
    ['uploadFiles', () => nt.transfers?.pick(), () => !nt.transfers],
    ['downloadFile', () => nt.transfers?.askDownload(), () => !nt.transfers],
  ];
  const buttons = items.map(([key, run, disabled]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('role', 'menuitem');
    b.dataset.testid = `menu-${key}`;
    b.addEventListener('click', () => {
      close();
      run();
    });
    return { b, key, disabled };
  });
  el.append(...buttons.map((x) => x.b));
  document.body.append(el);
  const onOutside = (ev) => {
    if (!el.contains(ev.target)) close();
  };
  const onKey = (ev) => {
    if (ev.key === 'Escape') close();
  };
  function close() {
    el.hidden = true;
    document.removeEventListener('mousedown', onOutside, true);
    document.removeEventListener('keydown', onKey, true);
  }
  return {
    open(x, y) {
      for (const { b, key, disabled } of buttons) {
        b.textContent = t(`menu_${key}`);
        b.disabled = disabled();
      }
      el.hidden = false;
      const r = el.getBoundingClientRect();
      el.style.left = `${Math.min(x, window.innerWidth - r.width - 4)}px`;
      el.style.top = `${Math.min(y, window.innerHeight - r.height - 4)}px`;
      document.addEventListener('mousedown', onOutside, true);
      document.addEventListener('keydown', onKey, true);
      buttons.find((x) => !x.b.disabled)?.b.focus();
    },
    close,
  };
}
