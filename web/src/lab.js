// The lab pane: the lab text in sections, with Run buttons on the command
// blocks, Check buttons, and the learner's progress.

import { api, errorText } from './api.js';
import { Checks } from './checks.js';
import { copyText } from './clipboard.js';
import { t } from './i18n.js';
import { putFile } from './transfer.js';
import { renderQuiz } from './quiz.js';

const MARKS = { done: '✓', failed: '✗', pending: '○' };
const CHECK_AFTER_RUN = [2000, 6000];
// VERSION_POLL_MS is how often the page asks for a new version of its lab
// until the server says otherwise (2 s in preview, 30 s else).
const VERSION_POLL_MS = 30000;

export class LabPane {
  // root is the pane element; terminal(node) returns a node's NodeTerminal;
  // onLoaded(lab) is called after each (re)load.
  constructor({ root, sessionId, labSlug, terminal, onLoaded }) {
    this.root = root;
    this.sessionId = sessionId;
    this.labSlug = labSlug;
    this.terminal = terminal;
    this.onLoaded = onLoaded || (() => {});
    this.lab = null;
    this.status = new Map(); // section id → pending|done|failed
    this.opened = new Set(); // sections with setups this page has opened
    this.quizState = new Map(); // quiz id → {status, attempts}
    // Sections whose checks pass and whose quizzes are left: the automatic
    // check moves on to the next section.
    this.quizWait = new Set();
    this.loadSeq = 0;
    this.lang = '';
    this.versionTimer = 0;
    this.stopped = false;
    // The lint problems of the lab's latest version, shown above the text
    // (the server sends them in preview only).
    this.problems = el('div', 'lab-problems');
    this.problems.dataset.testid = 'lab-problems';
    this.problems.hidden = true;
    this.checks = new Checks({
      check: (id, quiet, auto) => this.checkSection(id, quiet, auto),
      nextSection: () => this.nextSection(),
    });
  }

  get base() {
    return `/api/sessions/${encodeURIComponent(this.sessionId)}`;
  }

  // load fetches the lab in lang and the progress, and shows them. Done
  // again for a new version of the lab (keep), it keeps where the learner
  // had scrolled to.
  async load(lang, keep) {
    const seq = ++this.loadSeq;
    this.lang = lang;
    let lab;
    let progress;
    try {
      [lab, progress] = await Promise.all([
        api('GET', `/api/labs/${encodeURIComponent(this.labSlug)}?lang=${encodeURIComponent(lang)}`),
        api('GET', `${this.base}/progress`),
      ]);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      const p = document.createElement('p');
      p.className = 'pad error';
      p.textContent = errorText(err, t);
      this.root.replaceChildren(this.problems, p);
      return;
    }
    if (seq !== this.loadSeq) return;
    this.lab = lab;
    this.status.clear();
    this.quizState.clear();
    this.quizWait.clear();
    const outputs = new Map();
    for (const s of progress.sections || []) {
      this.status.set(s.id, s.status);
      for (const q of s.quizzes || []) this.quizState.set(q.id, q);
      if (s.status === 'failed' && s.output) outputs.set(s.id, s.output);
    }
    const scroll = this.root.scrollTop;
    this.render(outputs);
    if (keep) this.root.scrollTop = scroll;
    this.root.dataset.version = lab.version || '';
    this.onLoaded(lab);
    this.openCurrent();
  }

  // openCurrent opens the section the learner is on: the first one not done.
  openCurrent() {
    const s = this.lab?.sections.find((x) => this.status.get(x.id) !== 'done');
    if (s) this.openSection(s).catch(() => {});
  }

  // openSection asks the server to open a section that has setups, once per
  // page: the server runs its setups the first time in the session, and
  // answers the commands to type into the terminals (its terminal setups),
  // which the page types as a Run button does.
  async openSection(s) {
    if (!s.has_setup || this.opened.has(s.id)) return;
    this.opened.add(s.id);
    let r;
    try {
      r = await api('POST', `${this.base}/sections/${encodeURIComponent(s.id)}/start`);
    } catch (err) {
      this.opened.delete(s.id); // asked again on the next occasion
      throw err;
    }
    for (const c of r.terminal || []) {
      const term = this.terminal(c.node);
      if (!term) continue;
      term.send(`${c.command}\r`);
      term.flash();
    }
  }

  render(outputs) {
    const head = el('div', 'lab-head');
    const bar = el('div', 'progress');
    bar.innerHTML = '<div class="progress-bar"><span></span></div><span class="progress-text" data-testid="progress"></span>';
    const toc = el('ol', 'toc');
    toc.dataset.testid = 'section-list';
    head.append(bar, toc);
    const body = el('div', 'lab-body');
    for (const s of this.lab.sections) {
      toc.append(this.tocItem(s));
      body.append(this.sectionEl(s, outputs.get(s.id)));
    }
    this.root.replaceChildren(this.problems, head, body);
    this.root.scrollTop = 0;
    for (const s of this.lab.sections) this.showStatus(s.id);
    this.showProgress();
  }

  tocItem(s) {
    const li = el('li');
    const a = el('a');
    a.href = '#';
    a.dataset.section = s.id;
    const mark = el('span', 'mark');
    mark.dataset.testid = 'section-status';
    mark.dataset.section = s.id;
    a.append(mark, el('span', 'toc-title', s.title));
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      this.sectionNode(s.id)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    li.append(a);
    return li;
  }

  sectionEl(s, output) {
    const sec = el('section', 'lab-section');
    sec.dataset.section = s.id;
    const h = el('h2');
    h.append(el('span', 'heading-mark'), el('span', '', s.title));
    const html = el('div', 'section-html');
    html.innerHTML = s.html; // trusted: rendered by the server from the lab files
    for (const block of html.querySelectorAll('.run-block')) this.addRunButton(s, block);
    for (const block of html.querySelectorAll('.file-block')) this.addWriteButton(s, block);
    for (const pre of html.querySelectorAll('pre')) addCopyButton(pre);
    for (const box of html.querySelectorAll('.quiz')) this.addQuiz(s, box);
    // Port links ([text](port:node1:8080/path)) open the learner's own port.
    for (const a of html.querySelectorAll('a.port-link')) {
      const { node, port, path } = a.dataset;
      a.href = `/api/sessions/${encodeURIComponent(this.sessionId)}/nodes/${encodeURIComponent(node)}/ports/${encodeURIComponent(port)}/open?path=${encodeURIComponent(path || '/')}`;
      a.title = t('openPortTitle', { port, node });
    }
    const row = el('div', 'check-row');
    const button = el('button', 'check', s.has_check ? t('check') : t('markDone'));
    button.type = 'button';
    button.dataset.testid = 'check-section';
    button.dataset.section = s.id;
    const out = el('pre', 'check-output');
    out.dataset.testid = 'check-output';
    out.dataset.section = s.id;
    out.hidden = !output;
    out.textContent = output || '';
    button.addEventListener('click', () => this.manualCheck(s.id, button));
    row.append(button);
    // A section with quizzes and no check is done by its quizzes.
    row.hidden = !s.has_check && (s.quizzes || []).length > 0;
    sec.append(h, html, row, out);
    return sec;
  }

  // addQuiz renders the quiz of box, which the server answers: a right
  // answer may complete the section.
  addQuiz(s, box) {
    const quiz = (s.quizzes || []).find((q) => q.id === box.dataset.quiz);
    if (!quiz) return;
    const post = (body) => api('POST', `${this.base}/quizzes/${encodeURIComponent(quiz.id)}/answer`, body);
    renderQuiz(box, quiz, this.quizState.get(quiz.id), post, (res) => {
      if (res.correct) this.quizState.set(quiz.id, { id: quiz.id, status: 'done' });
      if (res.section_done && this.status.get(s.id) !== 'done') {
        this.setStatus(s.id, 'done');
        this.showOutput(s.id, t('done'), 'ok');
      }
    });
  }

  addRunButton(s, block) {
    const button = el('button', 'run', `▶ ${t('run')}`);
    button.type = 'button';
    button.dataset.testid = 'run';
    button.dataset.block = block.dataset.block;
    button.addEventListener('click', () => this.runBlock(s, block, button));
    block.append(button);
  }

  // addWriteButton gives a file block the button that writes its file on
  // its node.
  addWriteButton(s, block) {
    const button = el('button', 'run write', `⤓ ${t('writeFile')}`);
    button.type = 'button';
    button.dataset.testid = 'write-file';
    button.dataset.block = block.dataset.block;
    button.addEventListener('click', () => this.writeFile(s, block, button));
    block.append(button);
  }

  async writeFile(s, block, button) {
    const b = (s.blocks || []).find((x) => x.id === block.dataset.block);
    if (!b) return;
    button.disabled = true;
    block.querySelector('.run-error, .run-ok')?.remove();
    try {
      await this.openSection(s).catch(() => {});
      const content = b.command.endsWith('\n') ? b.command : `${b.command}\n`;
      // A file block's relative path starts from /root, wherever the
      // learner's shell is (the files API would start from the shell's).
      const path = b.path.startsWith('/') ? b.path : `/root/${b.path}`;
      const res = await putFile(this.sessionId, b.node, path, new Blob([content]));
      const note = el('p', 'run-ok', t('fileWritten', { path: res.path, node: b.node }));
      note.dataset.testid = 'file-written';
      block.append(note);
      this.terminal(b.node)?.flash();
      if (s.has_check && this.status.get(s.id) !== 'done') this.checks.later(s.id, CHECK_AFTER_RUN);
    } catch (err) {
      block.append(el('p', 'run-error error', t('fileNotWritten', { why: errorText(err, t) })));
    } finally {
      setTimeout(() => { button.disabled = false; }, 500);
    }
  }

  async runBlock(s, block, button) {
    button.disabled = true;
    block.querySelector('.run-error')?.remove();
    try {
      await this.openSection(s).catch(() => {});
      const r = await api('POST', `${this.base}/blocks/${encodeURIComponent(block.dataset.block)}/resolve`);
      const term = this.terminal(r.node);
      if (!term) throw new Error(`${r.node}?`);
      term.send(`${r.command}\r`);
      term.flash();
      if (s.has_check && this.status.get(s.id) !== 'done') this.checks.later(s.id, CHECK_AFTER_RUN);
    } catch (err) {
      block.append(el('p', 'run-error error', errorText(err, t)));
    } finally {
      setTimeout(() => { button.disabled = false; }, 500);
    }
  }

  async manualCheck(id, button) {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = t('checking');
    try {
      await this.checks.run(id, false);
    } catch (err) {
      this.showOutput(id, errorText(err, t));
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  // checkSection asks the server to check section id. A quiet check (an
  // automatic one) only reports success; a failure is shown when the
  // learner asked.
  async checkSection(id, quiet, auto) {
    let res;
    try {
      res = await api('POST', `${this.base}/sections/${encodeURIComponent(id)}/check`, auto ? { auto: true } : undefined);
    } catch (err) {
      if (err.status === 404) this.checks.stop();
      if (quiet) return;
      throw err;
    }
    if (res.passed && res.quizzes_left) {
      // The checks pass; the section's quizzes are still to answer.
      this.quizWait.add(id);
      if (!quiet) this.showOutput(id, t('quizzesLeft', { n: res.quizzes_left }), '');
    } else if (res.passed) {
      this.setStatus(id, 'done');
      this.showOutput(id, t('done'), 'ok');
    } else if (!quiet) {
      // A section once done stays done, as the server records it: a check
      // that fails later (the next section took the app down) only says why.
      if (this.status.get(id) === 'done') {
        this.showOutput(id, `${t('doneEarlier')}\n${res.output || '✗'}`, 'fail');
        return;
      }
      this.setStatus(id, 'failed');
      this.showOutput(id, res.output || '✗', 'fail');
    }
  }

  // nextSection names the first section not done that has a check, past
  // those whose checks pass while their quizzes are left.
  nextSection() {
    if (!this.lab) return '';
    const s = this.lab.sections.find((x) => x.has_check && this.status.get(x.id) !== 'done' && !this.quizWait.has(x.id));
    return s ? s.id : '';
  }

  setStatus(id, status) {
    this.status.set(id, status);
    this.showStatus(id);
    this.showProgress();
    if (status === 'done') this.openCurrent();
  }

  showStatus(id) {
    const status = this.status.get(id) || 'pending';
    for (const mark of this.root.querySelectorAll('[data-testid="section-status"]')) {
      if (mark.dataset.section !== id) continue;
      mark.dataset.status = status;
      mark.textContent = MARKS[status] || MARKS.pending;
      mark.title = status;
    }
    const sec = this.sectionNode(id);
    if (sec) {
      sec.dataset.status = status;
      sec.querySelector('.heading-mark').textContent = status === 'done' ? '✓ ' : '';
    }
  }

  showOutput(id, text, kind) {
    const out = this.sectionNode(id)?.querySelector('[data-testid="check-output"]');
    if (!out) return;
    out.hidden = false;
    out.className = `check-output ${kind || ''}`;
    out.textContent = text;
  }

  showProgress() {
    if (!this.lab) return;
    const total = this.lab.sections.length;
    const done = this.lab.sections.filter((s) => this.status.get(s.id) === 'done').length;
    this.root.querySelector('.progress-text').textContent = t('progress', { done, total });
    this.root.querySelector('.progress-bar span').style.width = `${total ? (100 * done) / total : 0}%`;
  }

  sectionNode(id) {
    for (const sec of this.root.querySelectorAll('.lab-section')) if (sec.dataset.section === id) return sec;
    return null;
  }

  // watchVersion asks the server for the version of the lab, and shows a
  // new one in place: the text is rendered again with the learner's
  // progress, and the terminals, which are not the pane's, stay as they
  // are. In preview, it also shows the problems of a version that fails
  // lint, while the last good one stays on the page.
  watchVersion() {
    const look = async () => {
      if (this.stopped) return;
      let wait = VERSION_POLL_MS;
      try {
        const v = await api('GET', `/api/labs/${encodeURIComponent(this.labSlug)}/version`);
        wait = v.poll_ms || wait;
        if (!document.hidden || v.preview) {
          showProblems(this.problems, v.problems, Boolean(v.version));
          if (this.lab && v.version && v.version !== this.lab.version) await this.load(this.lang, true);
        }
      } catch {
        // The lab is gone or the server is away: the page keeps its text.
      }
      if (!this.stopped) this.versionTimer = setTimeout(look, wait);
    };
    look();
  }

  start() {
    this.checks.start();
    this.watchVersion();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.versionTimer);
    this.checks.stop();
  }
}

// showProblems fills box with the lint problems of a lab's latest version
// ([{file, line, message}]), or hides it when there are none. served says
// whether an earlier version is shown meanwhile.
export function showProblems(box, problems, served) {
  if (!problems || problems.length === 0) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const list = el('ul');
  for (const p of problems) {
    const li = el('li', 'mono', `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
    li.dataset.testid = 'lab-problem';
    list.append(li);
  }
  box.replaceChildren(el('p', '', served ? t('labProblemsKept') : t('labProblemsNone')), list);
  box.className = 'lab-problems error';
  box.hidden = false;
}

// addCopyButton puts a Copy button on a code block of the lab.
function addCopyButton(pre) {
  const button = el('button', 'copy-code', t('copyCode'));
  button.type = 'button';
  button.dataset.testid = 'copy-code';
  button.addEventListener('click', async () => {
    const code = pre.querySelector('code') || pre;
    if (await copyText(code.textContent)) {
      button.textContent = t('codeCopied');
      setTimeout(() => { button.textContent = t('copyCode'); }, 1500);
    }
  });
  pre.classList.add('has-copy');
  pre.append(button);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
