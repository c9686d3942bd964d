// The join page (/join/{code}): a learner names themselves and gets their
// own session of the class's lab. Coming back with the same browser goes
// straight back to their seat.

import { api, errorText } from './api.js';
import { applyI18n, initialLang, setLang, storedLang, t } from './i18n.js';
import { joinAndGo } from './joining.js';
import { showStatus } from './status.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

export async function startJoin() {
  setLang(initialLang());
  applyI18n(document);
  const code = decodeURIComponent(location.pathname.split('/')[2] || '');
  let info;
  try {
    info = await api('GET', `/api/classrooms/join/${encodeURIComponent(code)}`);
  } catch (err) {
    show(errorText(err, t), 'error', true);
    return;
  }
  if (!storedLang() && info.lang) {
    setLang(info.lang); // the class's language, unless the learner chose one
    applyI18n(document);
  }
  $('join-class-name').textContent = info.name;
  $('join-class-info').textContent = t('classInfo', { lab: info.lab_title || info.lab, minutes: info.session_minutes });
  document.title = `${info.name} · ${t('product')}`;
  if (info.status === 'closed') {
    show(t('classClosed'), 'error', true);
    return;
  }
  if (info.member) {
    // Back in the same browser: their seat, their progress.
    show(t('welcomeBack', { name: info.member.name }), 'busy');
    join(info.code, info.member.name, null);
    return;
  }
  if (info.full) {
    show(t('classFull'), 'error', true);
    return;
  }
  const form = $('join-name-form');
  form.hidden = false;
  form.elements.name.focus();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = form.elements.name.value.trim();
    if (!name) return;
    join(info.code, name, form);
  });
}

// join takes a seat and goes to the session; the form comes back when it fails.
async function join(code, name, form) {
  const button = form && form.querySelector('[data-testid="join-submit"]');
  if (button) button.disabled = true;
  try {
    await joinAndGo(code, name, show);
  } catch (err) {
    show(errorText(err, t), 'error', err.status === 409 && !form);
    if (button) button.disabled = false;
  }
}

// show puts a message under the form; final messages link home.
function show(text, kind, final) {
  const status = $('join-page-status');
  showStatus(status, text, kind);
  if (final) {
    $('join-name-form').hidden = true;
    const a = document.createElement('a');
    a.href = '/';
    a.textContent = t('backHome');
    status.append(' ', a);
  }
}
