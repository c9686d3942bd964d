// The instructor's actions on the dashboard: more time for everyone or for
// the learner in the pane, a message to the class, a fresh node or fresh
// nodes for a learner, pausing and resuming the class, and the list of
// what the instructor did, which the event stream keeps up to date.

import { api, errorText } from './api.js';
import { clock, t } from './i18n.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

export class ClassActions {
  // dash is the Dashboard: its base URL, its banner, its learner pane.
  constructor(dash) {
    this.dash = dash;
    this.lab = '';
    this.nodes = [];
    this.canPause = false;
    this.list = [];
  }

  start() {
    $('extend-class-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.extend('');
    });
    $('message-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.send();
    });
    $('pause-class').addEventListener('click', () => this.pause(false));
    $('resume-class').addEventListener('click', () => this.pause(true));
    $('extend-learner').addEventListener('click', () => this.extend(this.dash.pane.id));
    $('reset-node').addEventListener('click', () => this.reset(true));
    $('reset-session').addEventListener('click', () => this.reset(false));
    this.load();
  }

  async load() {
    try {
      this.show(await api('GET', `${this.dash.base}/actions`));
    } catch {
      // The event stream brings them once it is back.
    }
  }

  // showClassroom enables what an open class allows, and learns the names
  // of its lab's nodes once.
  async showClassroom(c) {
    const closed = c.status === 'closed';
    $('class-actions').classList.toggle('closed', closed);
    for (const el of $('class-actions').querySelectorAll('button, select, textarea')) el.disabled = closed;
    this.showPause();
    if (this.lab === c.lab) return;
    this.lab = c.lab;
    try {
      const res = await api('GET', '/api/labs');
      this.nodes = (res.labs || res).find((l) => l.slug === c.lab)?.nodes || [];
    } catch {
      this.nodes = [];
    }
    const select = $('reset-node-select');
    select.replaceChildren(...this.nodes.map((n) => {
      const o = document.createElement('option');
      o.value = n;
      o.textContent = n;
      return o;
    }));
  }

  showPause() {
    const closed = this.dash.classroom?.status === 'closed';
    for (const id of ['pause-class', 'resume-class']) {
      $(id).disabled = closed || !this.canPause;
      $(id).title = this.canPause ? '' : t('pauseUnavailable');
    }
  }

  // showLearner fits the pane's actions to its learner's row.
  showLearner(row) {
    const live = !!row.session_id && row.session_status !== 'ended';
    const closed = this.dash.classroom?.status === 'closed';
    $('learner-ends').textContent = live && row.session_expires_at ? t('endsAt', { time: clock(row.session_expires_at) }) : '';
    $('learner-ends').dataset.at = live ? row.session_expires_at || '' : '';
    for (const id of ['extend-learner', 'reset-node', 'reset-session', 'reset-node-select']) {
      $(id).disabled = !live || closed || this.busy;
    }
  }

  // show lists the instructor's latest actions, newest first.
  show(res) {
    this.canPause = !!res.can_pause;
    this.showPause();
    this.list = res.actions || [];
    this.render();
  }

  render() {
    $('actions-list').replaceChildren(...this.list.map((a) => {
      const li = document.createElement('li');
      li.dataset.testid = 'action';
      li.dataset.kind = a.kind;
      const what = t(`act${a.kind[0].toUpperCase()}${a.kind.slice(1)}`, { node: a.node || '' });
      const parts = [clock(a.at), what, a.name || t('everyone')];
      if (a.detail) parts.push(a.detail);
      li.textContent = parts.join(' · ');
      return li;
    }));
  }

  relabel() {
    this.render();
    this.showPause();
  }

  // extend gives more time to one learner (their seat id) or to all ("").
  async extend(learner) {
    const minutes = Number($('extend-minutes').value);
    const path = learner ? `${this.dash.base}/learners/${encodeURIComponent(learner)}/extend` : `${this.dash.base}/extend`;
    try {
      const res = await api('POST', path, { minutes });
      const outcomes = res.outcomes || [];
      const notes = outcomes.filter((o) => o.message).map((o) => t(o.done ? 'extendCapped' : 'extendRefused', o));
      let text = t('extendedAll', { n: outcomes.filter((o) => o.done).length });
      if (learner && outcomes.length === 1 && outcomes[0].done) {
        text = t('extendedOne', { name: outcomes[0].name, time: clock(outcomes[0].expires_at) });
      }
      this.dash.banner([text, ...notes].join(' '), false);
    } catch (err) {
      this.dash.banner(errorText(err, t), false);
    }
  }

  async send() {
    const box = $('message-text');
    const text = box.value.trim();
    if (!text) {
      box.focus();
      return;
    }
    const button = $('send-message');
    button.disabled = true;
    try {
      await api('POST', `${this.dash.base}/messages`, { text });
      box.value = '';
      this.dash.banner(t('messageSent'), false);
    } catch (err) {
      this.dash.banner(errorText(err, t), false);
    } finally {
      button.disabled = this.dash.classroom?.status === 'closed';
    }
  }

  // reset gives the pane's learner a fresh node (the one selected) or
  // fresh nodes, after asking.
  async reset(oneNode) {
    const row = this.dash.rows.get(this.dash.pane.id);
    if (!row) return;
    const node = oneNode ? $('reset-node-select').value : '';
    const ask = oneNode ? t('confirmResetNode', { name: row.name, node }) : t('confirmResetSession', { name: row.name });
    if (!window.confirm(ask)) return;
    this.busy = true;
    this.showLearner(row);
    this.dash.banner(t('resetting'), false);
    try {
      await api('POST', `${this.dash.base}/learners/${encodeURIComponent(row.id)}/reset`, { node });
      // The pane's read-only terminals reach the new nodes now.
      if (this.dash.pane.id === row.id) {
        for (const term of this.dash.pane.terminals) if (!node || term.node === node) term.renewed();
      }
      this.dash.banner(oneNode ? t('resetDone', { name: row.name, node }) : t('resetSessionDone', { name: row.name }), false);
    } catch (err) {
      this.dash.banner(errorText(err, t), false);
    } finally {
      this.busy = false;
      this.showLearner(this.dash.rows.get(row.id) || row);
    }
  }

  // pause pauses the class, or resumes it.
  async pause(resume) {
    if (!resume && !window.confirm(t('confirmPause'))) return;
    try {
      const res = await api('POST', `${this.dash.base}/${resume ? 'resume' : 'pause'}`);
      const outcomes = res.outcomes || [];
      const done = outcomes.filter((o) => o.done).length;
      this.dash.banner(t('pausedAll', { n: done, total: outcomes.length, what: t(resume ? 'actResume' : 'actPause') }), false);
    } catch (err) {
      this.dash.banner(errorText(err, t), false);
    }
  }
}
