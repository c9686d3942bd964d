// Continue on another device: the session page's panel that makes a link
// (whoever opens it becomes this learner, in another browser), shows it
// once with a Copy button, and stops it. The server keeps only the link's
// hash, so a page opened later says a link is active without showing it.

import { api, errorText } from './api.js';
import { copyText } from './clipboard.js';
import { lang, t } from './i18n.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

// setupDeviceLink wires the top bar's button to the panel, for the session
// whose page this is (where the link lands).
export function setupDeviceLink(sessionId) {
  const button = $('device-link');
  const panel = $('device-panel');
  if (!button || !panel) return;
  button.hidden = false;
  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) refresh(panel, sessionId);
  });
}

// refresh shows whether a link is active, and what can be done.
async function refresh(panel, sessionId) {
  panel.replaceChildren(para(t('deviceLoading')));
  try {
    const res = await api('GET', '/api/me/device-link');
    render(panel, sessionId, res.link);
  } catch (err) {
    panel.replaceChildren(para(errorText(err, t)));
  }
}

// render fills the panel for link (null when there is none that works).
function render(panel, sessionId, link) {
  const parts = [para(t('deviceExplain'))];
  if (link && link.url) {
    const url = document.createElement('input');
    url.type = 'text';
    url.readOnly = true;
    url.value = link.url;
    url.className = 'device-url';
    url.dataset.testid = 'device-link-url';
    url.addEventListener('focus', () => url.select());
    const copy = action('device-link-copy', t('copyLink'), async () => {
      status.textContent = (await copyText(link.url)) ? t('deviceCopied') : t('copyFailed');
    });
    parts.push(row(url, copy));
  }
  if (link) {
    parts.push(para(t(link.url ? 'deviceNew' : 'deviceActive', { date: day(link.expires_at), n: link.uses })));
    parts.push(row(
      action('device-link-new', t('deviceReplace'), () => make(panel, sessionId)),
      action('device-link-stop', t('deviceStop'), () => stop(panel, sessionId), 'danger'),
    ));
  } else {
    parts.push(row(action('device-link-make', t('deviceMake'), () => make(panel, sessionId), 'primary')));
  }
  const status = para('');
  status.dataset.testid = 'device-link-status';
  status.setAttribute('aria-live', 'polite');
  parts.push(status);
  panel.replaceChildren(...parts);
  if (link && link.url) $('device-link-url').select();
}

// make makes a new link (the old one stops) and shows it.
async function make(panel, sessionId) {
  try {
    const res = await api('POST', '/api/me/device-link', { session_id: sessionId });
    render(panel, sessionId, res.link);
  } catch (err) {
    panel.append(para(errorText(err, t)));
  }
}

// stop stops the link; browsers that opened it stay the learner's.
async function stop(panel, sessionId) {
  try {
    await api('DELETE', '/api/me/device-link');
    render(panel, sessionId, null);
    $('device-link-status').textContent = t('deviceStopped');
  } catch (err) {
    panel.append(para(errorText(err, t)));
  }
}

function para(text) {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

function row(...children) {
  const d = document.createElement('div');
  d.className = 'row';
  d.append(...children);
  return d;
}

function action(testid, label, run, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.dataset.testid = testid;
  if (cls) b.className = cls;
  b.addEventListener('click', run);
  return b;
}

// day formats an RFC 3339 time as a date in the interface's language.
export function day(iso) {
  return new Date(Date.parse(iso)).toLocaleDateString(lang(), { day: 'numeric', month: 'long', year: 'numeric' });
}
