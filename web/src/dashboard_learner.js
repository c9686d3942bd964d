// The learner pane of the dashboard: one learner's sections with attempts
// and times, and a read-only live view of their three terminals. The
// server attaches the instructor read-only, and the terminals here never
// take keyboard input.

import { NodeTerminal } from './terminal.js';
import { clock, t } from './i18n.js';
import { quizMarks } from './quiz.js';

const NODES = ['node1', 'node2', 'node3'];

export class LearnerPane {
  // onShow(row) is told of the learner shown, each time the pane shows them.
  constructor(root, onShow = () => {}) {
    this.root = root;
    this.onShow = onShow;
    this.id = '';
    this.sessionId = '';
    this.terminals = [];
  }

  // open shows the learner with the given id.
  open(id, rows, sections) {
    this.id = id;
    this.root.hidden = false;
    this.refresh(rows, sections);
    this.root.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }

  close() {
    this.id = '';
    this.root.hidden = true;
    this.stopTerminals();
  }

  relabel(rows, sections) {
    for (const term of this.terminals) term.relabel();
    if (this.id) this.refresh(rows, sections);
  }

  // refresh shows the learner's latest row; the terminals follow their
  // session: a new session gets new terminals, an ended one none.
  refresh(rows, sections) {
    if (!this.id) return;
    const row = rows.get(this.id);
    if (!row) {
      this.close();
      return;
    }
    this.root.dataset.learner = row.name;
    this.onShow(row);
    this.q('learner-name').textContent = row.name;
    this.q('learner-session').textContent = row.session_status
      ? t('sessionState', { status: row.session_status }) : t('noSession');
    this.showSections(row, sections);
    const live = row.session_id && row.session_status !== 'ended';
    if (!live) {
      this.stopTerminals();
      this.q('watch-terminals').replaceChildren(note(row.session_id ? t('sessionEndedNote') : t('noSession')));
      this.sessionId = '';
      return;
    }
    if (row.session_id !== this.sessionId) this.startTerminals(row.session_id);
  }

  showSections(row, sections) {
    const titles = new Map(sections.map((s) => [s.id, s.title]));
    const body = this.q('learner-sections').querySelector('tbody');
    body.replaceChildren(...row.sections.map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.section = s.id;
      tr.dataset.status = s.status;
      const title = document.createElement('td');
      title.textContent = titles.get(s.id) || s.id;
      if (s.hint) {
        const hint = document.createElement('pre');
        hint.className = 'check-output fail';
        hint.textContent = s.hint;
        title.append(hint);
      }
      const status = document.createElement('td');
      status.className = `cell ${s.status}`;
      status.textContent = t(s.status === 'done' ? 'passed' : s.status);
      status.append(...quizMarks(s.quizzes));
      tr.append(title, status, td(String(s.attempts)), td(s.attempts ? clock(s.updated_at) : t('never')),
        td(clock(s.completed_at)));
      return tr;
    }));
  }

  startTerminals(sessionId) {
    this.stopTerminals();
    this.sessionId = sessionId;
    const pane = this.q('watch-terminals');
    pane.replaceChildren();
    for (const node of NODES) {
      const term = new NodeTerminal({ sessionId, node, address: '', onEnded: () => {}, canRestart: false });
      term.term.options.disableStdin = true;
      term.term.options.cursorBlink = false;
      pane.append(term.el);
      term.mount();
      this.terminals.push(term);
    }
    // End-to-end tests read the watched terminals through this handle.
    window.playgroundWatch = {
      text: (node) => this.terminals.find((x) => x.node === node)?.text() ?? '',
      // Read-only as the server said when it attached the terminal.
      readonly: (node) => {
        const term = this.terminals.find((x) => x.node === node);
        return !!term && term.pid > 0 && !!term.term.options.disableStdin;
      },
    };
  }

  stopTerminals() {
    for (const term of this.terminals) {
      term.stop('disconnected');
      term.term.dispose();
      term.el.remove();
    }
    this.terminals = [];
    this.sessionId = '';
  }

  q(testid) {
    return this.root.querySelector(`[data-testid="${testid}"]`);
  }
}

function td(text) {
  const el = document.createElement('td');
  el.textContent = text;
  return el;
}

function note(text) {
  const p = document.createElement('p');
  p.className = 'muted pad';
  p.textContent = text;
  return p;
}
