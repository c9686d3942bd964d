// The instructor's pages: the login page, and their classrooms with the
// form that creates one.

import { api, errorText } from './api.js';
import { applyI18n, initialLang, lang, setLang, switchLangButton, t } from './i18n.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

// startInstructorLogin runs the login page.
export function startInstructorLogin() {
  setLang(initialLang());
  applyI18n(document);
  const form = $('login-form');
  const status = $('login-status');
  const button = $('login-submit');
  // Already logged in: straight on.
  api('GET', '/api/instructors/me').then(() => location.replace(nextPage()), () => {});
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    status.hidden = false;
    status.className = 'status';
    status.textContent = t('loggingIn');
    try {
      await api('POST', '/api/instructors/login', {
        email: form.elements.email.value.trim(),
        password: form.elements.password.value,
      });
      location.assign(nextPage());
    } catch (err) {
      status.className = 'status error';
      status.textContent = errorText(err, t);
      button.disabled = false;
      form.elements.password.select();
    }
  });
}

// nextPage is where to go after logging in: the page that sent the
// instructor here, if it is one of this site's, else their classrooms.
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '';
  try {
    // Resolve it the way the browser would, then keep it only if it stays
    // on this site (this refuses "//host", "/\\host" and "https://host").
    const u = new URL(next, location.origin);
    if (next.startsWith('/') && u.origin === location.origin) return u.pathname + u.search + u.hash;
  } catch (err) {
    // not a URL at all
  }
  return '/instructor';
}

// startInstructor runs the page of the instructor's classrooms.
export async function startInstructor() {
  setLang(initialLang());
  applyI18n(document);
  switchLangButton($('lang-switch'), () => { loadClassrooms(); loadLabProblems(); });
  $('logout').addEventListener('click', logout);
  api('GET', '/api/instructors/me').then((me) => { $('instructor-email').textContent = me.email; }, loginAgain);
  setupCreate();
  loadClassrooms();
  loadLabProblems();
}

// loadLabProblems shows, above the rest, the labs of the run-time labs
// folder whose latest version fails lint, each problem as file:line:
// message; the card is absent when there are none.
async function loadLabProblems() {
  let list;
  try {
    list = (await api('GET', '/api/lab-problems')).labs || [];
  } catch {
    return; // a login that ended is dealt with by the other requests
  }
  document.querySelector('[data-testid="lab-problems-card"]')?.remove();
  if (list.length === 0) return;
  const card = document.createElement('section');
  card.className = 'card lab-problems error';
  card.dataset.testid = 'lab-problems-card';
  const h = document.createElement('h2');
  h.textContent = t('labsWithProblems');
  const help = document.createElement('p');
  help.className = 'muted';
  help.textContent = t('labsWithProblemsHelp');
  card.append(h, help);
  for (const b of list) {
    const title = document.createElement('h3');
    title.className = 'mono';
    title.dataset.testid = 'problem-lab';
    title.textContent = `${b.lab} · ${b.served ? t('labServedEarlier') : t('labNotServed')}`;
    const ul = document.createElement('ul');
    for (const p of b.problems || []) {
      const li = document.createElement('li');
      li.className = 'mono';
      li.dataset.testid = 'lab-problem';
      li.textContent = `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
      ul.append(li);
    }
    card.append(title, ul);
  }
  document.querySelector('.class-main').prepend(card);
}

async function logout() {
  try {
    await api('POST', '/api/instructors/logout');
  } finally {
    location.assign('/instructor/login');
  }
}

// loginAgain sends an instructor whose login ended back to the login page.
function loginAgain(err) {
  if (err && err.status === 401) location.assign(`/instructor/login?next=${encodeURIComponent(location.pathname)}`);
}

async function setupCreate() {
  const form = $('create-form');
  const status = $('create-status');
  const button = $('create-classroom');
  const labSelect = $('class-lab');
  const langSelect = $('class-lang');
  let labs = [];
  const fillLangs = () => {
    const lab = labs.find((l) => l.slug === labSelect.value);
    langSelect.replaceChildren(...(lab ? lab.langs : []).map((l) => option(l, l === 'fr' ? 'Français' : l === 'en' ? 'English' : l)));
    if (lab && lab.langs.includes(lang())) langSelect.value = lang();
  };
  labSelect.addEventListener('change', fillLangs);
  try {
    labs = (await api('GET', `/api/labs?lang=${encodeURIComponent(lang())}`)).labs || [];
  } catch (err) {
    status.hidden = false;
    status.textContent = errorText(err, t);
  }
  labSelect.replaceChildren(...labs.map((l) => {
    const n = (l.nodes || []).length;
    return option(l.slug, `${l.title} · ${n === 1 ? t('labNode') : t('labNodes', { n })}`);
  }));
  fillLangs();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const seats = form.elements.seats.value.trim();
    const body = {
      name: form.elements.name.value.trim(),
      lab: labSelect.value,
      lang: langSelect.value,
      session_minutes: parseInt(form.elements.session_minutes.value, 10) || 0,
      seats: seats ? parseInt(seats, 10) || 0 : 0,
    };
    button.disabled = true;
    status.hidden = false;
    status.className = 'status';
    status.textContent = t('creating');
    try {
      const c = await api('POST', '/api/classrooms', body);
      location.assign(`/instructor/classrooms/${encodeURIComponent(c.id)}`);
    } catch (err) {
      loginAgain(err);
      status.className = 'status error';
      status.textContent = errorText(err, t);
      button.disabled = false;
    }
  });
}

async function loadClassrooms() {
  const body = $('classroom-list').querySelector('tbody');
  let list;
  try {
    list = (await api('GET', '/api/classrooms')).classrooms || [];
  } catch (err) {
    loginAgain(err);
    body.replaceChildren(messageRow(errorText(err, t)));
    return;
  }
  if (list.length === 0) {
    body.replaceChildren(messageRow(t('noClassrooms')));
    return;
  }
  body.replaceChildren(...list.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'classroom-row';
    tr.dataset.classroom = c.id;
    const link = document.createElement('a');
    link.href = `/instructor/classrooms/${encodeURIComponent(c.id)}`;
    link.textContent = c.name;
    link.dataset.testid = 'open-classroom';
    const code = cell('', 'mono');
    code.textContent = formatCode(c.code);
    const seats = c.seats ? `${c.members} / ${c.seats}` : String(c.members);
    const status = cell(t(c.status === 'closed' ? 'closed' : 'open'), `badge ${c.status}`);
    tr.append(cell(link), code, cell(`${c.lab_title || c.lab} · ${c.lang}`), cell(seats), status,
      cell(new Date(c.created_at).toLocaleString(lang())), cell(dashboardLink(c)));
    return tr;
  }));
}

function dashboardLink(c) {
  const a = document.createElement('a');
  a.className = 'button';
  a.href = `/instructor/classrooms/${encodeURIComponent(c.id)}`;
  a.textContent = t('openDashboard');
  return a;
}

// formatCode shows a code in two groups of three, as it is read aloud.
export function formatCode(code) {
  return code && code.length === 6 ? `${code.slice(0, 3)}-${code.slice(3)}` : code || '';
}

function cell(content, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function messageRow(text) {
  const tr = document.createElement('tr');
  const td = cell(text, 'muted');
  td.colSpan = 7;
  tr.append(td);
  return tr;
}

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}
