// A status line under a form: a message, with a spinner while busy.

// showStatus puts text in the status element el; kind is '' , 'busy' (with
// a spinner), 'error' or another class name. Empty text hides it.
export function showStatus(el, text, kind) {
  el.hidden = !text;
  el.className = `status ${kind || ''}`;
  el.replaceChildren();
  if (kind === 'busy') {
    const spin = document.createElement('span');
    spin.className = 'spinner';
    spin.setAttribute('aria-hidden', 'true');
    el.append(spin);
  }
  el.append(text);
}
