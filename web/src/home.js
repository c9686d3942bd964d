// The home page: start a session, resume one, join a class.

import { api, errorText } from './api.js';
import { initialLang, lang, setLang, t } from './i18n.js';
import { joinAndGo } from './joining.js';
import { showProblems } from './lab.js';
import { chosenLab, showLabs } from './picker.js';
import { showStatus } from './status.js';

const DEFAULT_LAB = 'docker-orchestration';
const PHASE_POLL_MS = 300;

export function startHome() {
  setLang(initialLang());
  const select = document.querySelector('[data-testid="home-lang"]');
  select.value = lang();
  select.addEventListener('change', () => {
    setLang(select.value);
    loadSessions();
    loadLabs();
  });
  setupStart();
  loadLabs();
  setupJoin();
  loadSessions();
}

function setupStart() {
  const button = document.querySelector('[data-testid="start-session"]');
  const status = document.querySelector('[data-testid="start-status"]');
  let retryTimer = 0;

  const show = (text, kind) => showStatus(status, text, kind);

  // retryIn counts down and tries again, for a full playground.
  const retryIn = (seconds) => {
    let left = Math.max(1, seconds);
    const tick = () => {
      if (left <= 0) {
        start();
        return;
      }
      show(t('full', { n: left }), 'busy');
      left--;
      retryTimer = setTimeout(tick, 1000);
    };
    tick();
  };

  let wantLab = DEFAULT_LAB;
  const start = async () => {
    clearTimeout(retryTimer);
    button.disabled = true;
    free.disabled = true;
    show(t('starting'), 'busy');
    // A cold start takes a second or two: say what it is doing meanwhile.
    // (A ready session from the pool answers before the first look.)
    const watch = setInterval(async () => {
      try {
        const list = (await api('GET', '/api/sessions')).sessions || [];
        const s = list.find((x) => x.status === 'starting' && x.phase);
        if (s) show(t(s.phase === 'engines' ? 'phaseEngines' : 'phaseNodes'), 'busy');
      } catch {
        // The start's own answer says what went wrong.
      }
    }, PHASE_POLL_MS);
    try {
      const s = await api('POST', '/api/sessions', wantLab ? { lab: wantLab, lang: lang() } : undefined);
      clearInterval(watch);
      location.assign(`/s/${encodeURIComponent(s.id)}`);
    } catch (err) {
      clearInterval(watch);
      if (err.status === 503 && (err.code === 'full' || err.retryAfter > 0)) {
        retryIn(err.retryAfter || 10);
        return;
      }
      show(errorText(err, t), 'error');
      button.disabled = false;
      free.disabled = false;
    }
  };
  button.addEventListener('click', () => {
    wantLab = chosenLab() || DEFAULT_LAB;
    start();
  });
  // A free playground: nodes without a lab, which the learner may add to.
  const free = document.querySelector('[data-testid="start-free"]');
  free.addEventListener('click', () => { wantLab = ''; start(); });
}

// loadLabs fills the lab picker with every lab the server has, titled in
// the page's language. A ?lab=SLUG in the address picks that lab, so a
// "try it" link can point at one; a lab picked by hand stays picked when
// the language changes.
async function loadLabs() {
  const asked = new URLSearchParams(location.search).get('lab');
  const wanted = chosen || asked || DEFAULT_LAB;
  let labs;
  try {
    labs = (await api('GET', `/api/labs?lang=${encodeURIComponent(lang())}`)).labs || [];
  } catch {
    return; // Start still starts the built-in default
  }
  if (labs.length === 0) return;
  const served = labs.some((l) => l.slug === wanted);
  const fallback = labs.some((l) => l.slug === DEFAULT_LAB) ? DEFAULT_LAB : labs[0].slug;
  showLabs(labs, served ? wanted : fallback);
  const problems = document.querySelector('[data-testid="lab-problems"]');
  if (!served && wanted === asked) awaitLab(wanted);
  else if (problems) problems.hidden = true;
  if (!listening) {
    listening = true;
    document.querySelector('[data-testid="lab-list"]').addEventListener('change', () => { chosen = chosenLab(); });
  }
}

// chosen is the lab the learner picked by hand, kept across a change of
// language; listening says the picker's changes are followed.
let chosen = '';
let listening = false;

// awaitLab is for a lab asked for by ?lab=SLUG that is not served: in
// preview ("playground lab preview"), one that fails lint, whose problems
// it shows until a version of it passes, when the picker is filled again.
async function awaitLab(slug) {
  const box = document.querySelector('[data-testid="lab-problems"]') || document.createElement('div');
  box.dataset.testid = 'lab-problems';
  document.querySelector('.start-card').append(box);
  let v;
  try {
    v = await api('GET', `/api/labs/${encodeURIComponent(slug)}/version`);
  } catch {
    box.hidden = true;
    return;
  }
  showProblems(box, v.problems, false);
  if (v.version) loadLabs();
  else if (v.preview) setTimeout(() => awaitLab(slug), v.poll_ms || 2000);
}

async function loadSessions() {
  const list = document.querySelector('[data-testid="session-list"]');
  let sessions;
  try {
    sessions = (await api('GET', '/api/sessions')).sessions || [];
  } catch (err) {
    list.replaceChildren(item(errorText(err, t), 'muted'));
    return;
  }
  sessions = sessions.filter((s) => s.status !== 'ended');
  if (sessions.length === 0) {
    list.replaceChildren(item(t('noSessions'), 'muted'));
    return;
  }
  list.replaceChildren(...sessions.map((s) => {
    const li = item('', 'session-item');
    const name = document.createElement('span');
    name.className = 'session-name';
    name.textContent = `${s.lab} · ${s.lang || ''}`.replace(/ · $/, '');
    const left = document.createElement('span');
    left.className = 'muted';
    if (s.status === 'paused') {
      // A paused session's clock stands still; it ends at paused_until
      // unless it is resumed before.
      const minutes = Math.max(0, Math.round((Date.parse(s.expires_at) - Date.parse(s.paused_at)) / 60000));
      const until = new Date(Date.parse(s.paused_until)).toLocaleString(lang(), { dateStyle: 'medium', timeStyle: 'short' });
      left.textContent = t('pausedUntil', { time: `${minutes} min`, until });
      left.dataset.testid = 'paused-until';
      li.classList.add('paused');
    } else {
      const minutes = Math.max(0, Math.round((Date.parse(s.expires_at) - Date.now()) / 60000));
      left.textContent = Number.isFinite(minutes) ? t('expiresIn', { time: `${minutes} min` }) : '';
    }
    const link = document.createElement('a');
    link.className = 'button';
    link.href = `/s/${encodeURIComponent(s.id)}`;
    link.textContent = t('resume');
    link.dataset.testid = 'resume';
    li.append(name, left, link);
    return li;
  }));
}

function item(text, cls) {
  const li = document.createElement('li');
  li.className = cls;
  li.textContent = text;
  return li;
}

function setupJoin() {
  const form = document.querySelector('[data-testid="join-form"]');
  const button = form.querySelector('[data-testid="join-class"]');
  const status = document.querySelector('[data-testid="join-status"]');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const code = form.elements.code.value.trim();
    const name = form.elements.name.value.trim();
    if (!code || !name) return;
    button.disabled = true;
    try {
      await joinAndGo(code, name, (text, kind) => showStatus(status, text, kind));
    } catch (err) {
      showStatus(status, errorText(err, t), 'error');
      button.disabled = false;
    }
  });
}
