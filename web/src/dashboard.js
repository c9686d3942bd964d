// The classroom dashboard (/instructor/classrooms/{id}): the join link and
// code to put on the projector, a live grid of learners × sections fed by
// the server's event stream, exports, closing the class, and a pane per
// learner with their sections and a read-only view of their terminals.

import { api, errorText, serverNow } from './api.js';
import { ClassActions } from './dashboard_actions.js';
import { LearnerPane } from './dashboard_learner.js';
import { ago, applyI18n, initialLang, setLang, switchLangButton, t } from './i18n.js';
import { formatCode } from './instructor.js';
import { quizMarks } from './quiz.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const MARKS = { done: '✓', failed: '✗', pending: '·' };
const RETRY_MS = 3000;
const READY_POLL_MS = 5000;
const HINT_CHARS = 60;

export function startDashboard() {
  setLang(initialLang());
  applyI18n(document);
  const id = decodeURIComponent(location.pathname.split('/')[3] || '');
  new Dashboard(id).start();
}

class Dashboard {
  constructor(id) {
    this.id = id;
    this.classroom = null;
    this.sections = [];
    this.rows = new Map(); // learner id → row
    this.order = []; // learner ids in the order they joined
    this.stream = null;
    this.retryTimer = 0;
    this.pane = new LearnerPane($('learner-pane'), (row) => this.actions.showLearner(row));
    this.actions = new ClassActions(this);
  }

  get base() {
    return `/api/classrooms/${encodeURIComponent(this.id)}`;
  }

  start() {
    switchLangButton($('lang-switch'), () => this.relabel());
    $('export-csv').href = `${this.base}/progress.csv`;
    $('export-json').href = `${this.base}/progress.json`;
    $('close-classroom').addEventListener('click', () => this.closeClass());
    $('copy-link').addEventListener('click', () => this.copyLink());
    $('ready-seats-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.askReady();
    });
    // The ready seats are counted by the server; look again now and then.
    setInterval(() => this.refreshReady(), READY_POLL_MS);
    $('learner-close').addEventListener('click', () => this.pane.close());
    this.actions.start();
    this.connect();
    setInterval(() => this.tick(), 1000);
    // End-to-end tests read the grid through this handle.
    window.playgroundDashboard = {
      cell: (name, section) => this.cellOf(name, section)?.dataset.status || '',
      live: () => $('live-state').dataset.state === 'live',
    };
  }

  // connect opens the event stream. EventSource reconnects by itself after
  // a network error; an HTTP error closes it, and the page finds out why.
  connect() {
    clearTimeout(this.retryTimer);
    const es = new EventSource(`${this.base}/events`);
    this.stream = es;
    this.setLive('connecting');
    es.onopen = () => this.setLive('live');
    es.addEventListener('snapshot', (ev) => {
      this.setLive('live');
      this.snapshot(JSON.parse(ev.data));
    });
    es.addEventListener('learner', (ev) => this.learner(JSON.parse(ev.data)));
    es.addEventListener('actions', (ev) => this.actions.show(JSON.parse(ev.data)));
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED) {
        this.setLive('reconnecting');
        return;
      }
      this.setLive('reconnecting');
      this.diagnose();
    };
  }

  // diagnose asks the API why the stream was refused, then acts on it.
  async diagnose() {
    try {
      await api('GET', this.base);
    } catch (err) {
      if (err.status === 401) {
        location.assign(`/instructor/login?next=${encodeURIComponent(location.pathname)}`);
        return;
      }
      if (err.status === 404) {
        this.banner(t('classroomNotFound'), true);
        this.setLive('ended');
        return;
      }
    }
    this.retryTimer = setTimeout(() => this.connect(), RETRY_MS);
  }

  setLive(state) {
    const el = $('live-state');
    el.dataset.state = state;
    el.querySelector('.live-label').textContent = state === 'ended' ? '' : t(state === 'live' ? 'live' : state);
  }

  snapshot(rep) {
    this.classroom = rep.classroom;
    this.sections = rep.sections || [];
    this.rows.clear();
    this.order = [];
    for (const row of rep.learners || []) {
      this.rows.set(row.id, row);
      this.order.push(row.id);
    }
    this.showClassroom();
    this.renderGrid();
    this.pane.refresh(this.rows, this.sections);
  }

  learner(row) {
    const old = this.rows.get(row.id);
    this.rows.set(row.id, row);
    if (!old) {
      this.order.push(row.id);
      if (this.classroom) this.classroom.members = Math.max(this.classroom.members, this.order.length);
      this.showSeats();
      $('progress-grid').querySelector('tbody').append(this.rowEl(row));
      $('no-learners').hidden = true;
    } else {
      const tr = this.rowNode(row.id);
      const fresh = this.rowEl(row, old);
      if (tr) tr.replaceWith(fresh);
    }
    this.pane.refresh(this.rows, this.sections);
  }

  showClassroom() {
    const c = this.classroom;
    document.title = `${c.name} · ${t('product')}`;
    $('classroom-name').textContent = c.name;
    const status = $('classroom-status');
    status.textContent = t(c.status === 'closed' ? 'closed' : 'open');
    status.className = `badge ${c.status}`;
    $('join-code').textContent = formatCode(c.code);
    const link = $('join-url');
    link.href = c.join_url;
    link.textContent = c.join_url;
    $('close-classroom').disabled = c.status === 'closed';
    this.showReady();
    this.actions.showClassroom(c);
    $('join-panel').classList.toggle('closed', c.status === 'closed');
    if (c.status === 'closed') this.banner(t('closedBanner'), false);
    this.showSeats();
  }

  // showReady shows how many seats wait, ready, for learners who join.
  showReady() {
    const c = this.classroom;
    const form = $('ready-seats-form');
    form.hidden = !c || c.status === 'closed';
    if (form.hidden) return;
    const ready = c.ready_seats || 0;
    const asked = c.ready_seats_asked || 0;
    $('ready-seats').textContent = String(ready);
    let label = 'readyNone';
    if (asked > ready) label = 'readyOf';
    else if (ready > 0) label = 'readyAll';
    $('ready-seats-label').textContent = t(label, { asked });
    const input = $('ready-seats-input');
    input.setAttribute('aria-label', t('readySeatsInput'));
    if (document.activeElement !== input && input.value === '') input.placeholder = String(asked || '');
  }

  async refreshReady() {
    if (!this.classroom || this.classroom.status === 'closed' || document.hidden) return;
    try {
      const c = await api('GET', this.base);
      this.classroom.ready_seats = c.ready_seats;
      this.classroom.ready_seats_asked = c.ready_seats_asked;
      this.showReady();
    } catch {
      // The live stream shows when the server is away.
    }
  }

  async askReady() {
    const input = $('ready-seats-input');
    const n = Number(input.value);
    if (input.value === '' || !Number.isInteger(n) || n < 0) {
      input.focus();
      return;
    }
    const button = $('ready-seats-submit');
    button.disabled = true;
    try {
      const c = await api('POST', `${this.base}/ready`, { seats: n });
      this.classroom.ready_seats = c.ready_seats;
      this.classroom.ready_seats_asked = c.ready_seats_asked;
      input.value = '';
      this.showReady();
      this.banner(t('readySaved', { n }), false);
      setTimeout(() => this.banner('', false), 4000);
    } catch (err) {
      this.banner(errorText(err, t), false);
    } finally {
      button.disabled = false;
    }
  }

  showSeats() {
    const c = this.classroom;
    if (!c) return;
    const n = this.order.length;
    let text = t(n === 1 ? 'seatCountOne' : 'seatCount', { n });
    if (c.seats) text = t('seatCountOf', { n, seats: c.seats });
    $('seat-count').textContent = text;
  }

  renderGrid() {
    const table = $('progress-grid');
    const head = document.createElement('tr');
    head.append(th(t('learner'), 'name-col'));
    this.sections.forEach((s, i) => {
      const h = th(`${i + 1}. ${s.title}`, 'section-col');
      h.title = s.title;
      h.dataset.section = s.id;
      head.append(h);
    });
    head.append(th(t('doneColumn'), 'num-col'), th(t('lastActivity'), 'age-col'));
    table.querySelector('thead').replaceChildren(head);
    table.querySelector('tbody').replaceChildren(...this.order.map((id) => this.rowEl(this.rows.get(id))));
    $('no-learners').hidden = this.order.length > 0;
    this.tick();
  }

  // rowEl builds a learner's row; cells that changed since old flash.
  rowEl(row, old) {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'learner-row';
    tr.dataset.learner = row.id;
    tr.dataset.name = row.name;
    tr.dataset.session = row.session_status || '';
    const name = document.createElement('button');
    name.type = 'button';
    name.className = 'learner-link';
    name.dataset.testid = 'open-learner';
    name.textContent = row.name;
    name.addEventListener('click', () => this.pane.open(row.id, this.rows, this.sections));
    const state = document.createElement('span');
    state.className = `session-dot ${row.session_status || 'none'}`;
    state.title = row.session_status ? t('sessionState', { status: row.session_status }) : t('noSession');
    const nameCell = document.createElement('td');
    nameCell.className = 'name-col';
    nameCell.append(state, name);
    tr.append(nameCell);
    const before = new Map((old?.sections || []).map((s) => [s.id, s]));
    for (const s of row.sections) {
      const td = document.createElement('td');
      td.className = `cell ${s.status}`;
      td.dataset.testid = 'cell';
      td.dataset.learner = row.name;
      td.dataset.section = s.id;
      td.dataset.status = s.status;
      const mark = document.createElement('span');
      mark.className = 'cell-mark';
      mark.textContent = MARKS[s.status] || MARKS.pending;
      td.append(mark);
      if (s.attempts > 1 || s.status === 'failed') {
        const n = document.createElement('span');
        n.className = 'cell-attempts';
        n.textContent = `×${s.attempts}`;
        td.append(n);
      }
      if (s.status === 'failed' && s.hint) {
        const hint = document.createElement('span');
        hint.className = 'cell-hint';
        hint.dataset.testid = 'cell-hint';
        hint.textContent = s.hint.length > HINT_CHARS ? `${s.hint.slice(0, HINT_CHARS)}…` : s.hint;
        td.append(hint);
      }
      td.append(...quizMarks(s.quizzes));
      td.title = `${t(s.status === 'done' ? 'passed' : s.status)} · ${t('attempts')}: ${s.attempts}${s.hint ? `\n${s.hint}` : ''}`;
      const was = before.get(s.id);
      if (old && (!was || was.status !== s.status || was.attempts !== s.attempts)) td.classList.add('changed');
      tr.append(td);
    }
    const done = document.createElement('td');
    done.className = 'num-col';
    done.dataset.testid = 'learner-done';
    done.textContent = `${row.done}/${row.sections.length}`;
    const age = document.createElement('td');
    age.className = 'age-col';
    age.dataset.testid = 'learner-age';
    age.dataset.at = row.last_activity_at || '';
    tr.append(done, age);
    this.showAge(age);
    return tr;
  }

  tick() {
    for (const el of document.querySelectorAll('[data-testid="learner-age"]')) this.showAge(el);
  }

  showAge(el) {
    const at = Date.parse(el.dataset.at || '');
    el.textContent = Number.isNaN(at) ? t('never') : t('ago', { t: ago(serverNow() - at) });
  }

  rowNode(id) {
    for (const tr of document.querySelectorAll('[data-testid="learner-row"]')) if (tr.dataset.learner === id) return tr;
    return null;
  }

  cellOf(name, section) {
    for (const td of document.querySelectorAll('[data-testid="cell"]')) {
      if (td.dataset.learner === name && td.dataset.section === section) return td;
    }
    return null;
  }

  relabel() {
    if (this.classroom) {
      this.showClassroom();
      this.renderGrid();
    }
    this.setLive($('live-state').dataset.state);
    this.pane.relabel(this.rows, this.sections);
    this.actions.relabel();
  }

  async copyLink() {
    const url = $('join-url').href;
    try {
      await navigator.clipboard.writeText(url);
      $('copy-link').textContent = t('copied');
      setTimeout(() => { $('copy-link').textContent = t('copyLink'); }, 2000);
    } catch {
      window.prompt(t('copyLink'), url);
    }
  }

  async closeClass() {
    if (!window.confirm(t('confirmClose'))) return;
    const button = $('close-classroom');
    button.disabled = true;
    try {
      const res = await api('POST', `${this.base}/close`);
      this.classroom = res.classroom;
      this.showClassroom();
      this.banner(`${t('closedBanner')} ${t('closedCount', { n: res.sessions_ended })}`, false);
    } catch (err) {
      this.banner(errorText(err, t), false);
      button.disabled = false;
    }
  }

  banner(text, final) {
    const b = $('dashboard-banner');
    b.hidden = !text;
    b.className = `banner ${final ? 'final' : ''}`;
    b.textContent = text;
  }
}

function th(text, cls) {
  const el = document.createElement('th');
  el.className = cls || '';
  el.textContent = text;
  return el;
}
