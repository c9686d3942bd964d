// What a classroom learner's page hears from the instructor, live: the
// class's messages (shown until the learner dismisses each), the session's
// end moved by an extension, nodes made anew, and the session paused or
// resumed with the whole class. The server streams the
// session's news (GET /api/sessions/{id}/news/events); a session of no
// classroom answers the first look with classroom: false, and nothing more
// is asked.

import { api, errorText } from './api.js';
import { clock, t } from './i18n.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

// RETRY_MS is how long the page waits before opening a refused stream
// again; NOTE_MS how long a note (more time, a fresh node) stays.
const RETRY_MS = 5000;
const NOTE_MS = 20000;

// watchClassNews starts listening for a session. onExpires(at) gets the
// session's new end; onReset(node) a node made anew ("" for all of them);
// onStatus(status) the session's status when it changes ("paused",
// "running"). It returns { stop }.
export function watchClassNews({ sessionId, expiresAt, onExpires, onReset, onStatus }) {
  const news = new ClassNews(sessionId, expiresAt, onExpires, onReset, onStatus);
  news.start();
  return { stop: () => news.stop() };
}

class ClassNews {
  constructor(sessionId, expiresAt, onExpires, onReset, onStatus) {
    this.base = `/api/sessions/${encodeURIComponent(sessionId)}`;
    this.expiresAt = expiresAt;
    this.onExpires = onExpires;
    this.onReset = onReset;
    this.onStatus = onStatus;
    this.status = null; // the status last heard of
    this.lastReset = null; // the newest reset seen; null before the first news
    this.stopped = false;
    this.stream = null;
    this.root = document.createElement('section');
    this.root.className = 'class-news';
    this.root.dataset.testid = 'class-news';
    this.root.setAttribute('aria-live', 'polite');
    this.root.hidden = true;
    this.note = document.createElement('p');
    this.note.className = 'class-note';
    this.note.dataset.testid = 'class-note';
    this.note.hidden = true;
    this.list = document.createElement('div');
    this.root.append(this.note, this.list);
    $('session-banner').after(this.root);
  }

  async start() {
    let first;
    try {
      first = await api('GET', `${this.base}/news`);
    } catch {
      return; // the page shows what is wrong with the session itself
    }
    if (!first.classroom || this.stopped) return;
    this.apply(first);
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    const es = new EventSource(`${this.base}/news/events`);
    this.stream = es;
    es.addEventListener('news', (ev) => this.apply(JSON.parse(ev.data)));
    es.onerror = () => {
      // EventSource comes back by itself after a network error; a refusal
      // (the session ended, the server restarting) closes it.
      if (es.readyState === EventSource.CLOSED && !this.stopped) {
        this.retry = setTimeout(() => this.connect(), RETRY_MS);
      }
    };
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
    this.stream?.close();
  }

  apply(n) {
    if (n.status && n.status !== this.status) {
      const first = this.status === null;
      this.status = n.status;
      if (!first || n.status === 'paused') this.onStatus(n.status);
    }
    if (n.expires_at && n.expires_at !== this.expiresAt) {
      const later = Date.parse(n.expires_at) > Date.parse(this.expiresAt || '');
      this.expiresAt = n.expires_at;
      this.onExpires(n.expires_at);
      if (later) this.showNote(t('timeExtended', { time: clock(n.expires_at) }));
    }
    const resets = n.resets || [];
    const newest = resets.length ? resets[0].id : 0;
    if (this.lastReset !== null) {
      for (const r of resets.filter((x) => x.id > this.lastReset).reverse()) {
        const node = r.kind === 'reset_node' ? r.node : '';
        this.onReset(node);
        this.showNote(node ? t('nodeRenewedNote', { node }) : t('sessionRenewedNote'));
      }
    }
    this.lastReset = Math.max(this.lastReset || 0, newest);
    this.showMessages(n.messages || []);
  }

  showNote(text) {
    clearTimeout(this.noteTimer);
    this.note.textContent = text;
    this.note.hidden = false;
    this.root.hidden = false;
    this.noteTimer = setTimeout(() => {
      this.note.hidden = true;
      this.root.hidden = this.list.childElementCount === 0;
    }, NOTE_MS);
  }

  // showMessages shows the messages not dismissed, as plain text.
  showMessages(messages) {
    this.list.replaceChildren(...messages.map((m) => {
      const el = document.createElement('div');
      el.className = 'class-message';
      el.dataset.testid = 'class-message';
      el.dataset.id = String(m.id);
      const from = document.createElement('span');
      from.className = 'class-message-from';
      from.textContent = `${t('fromInstructor')} · ${clock(m.at)}`;
      const text = document.createElement('p');
      text.className = 'class-message-text';
      text.dataset.testid = 'class-message-text';
      text.textContent = m.text;
      const dismiss = document.createElement('button');
      dismiss.type = 'button';
      dismiss.dataset.testid = 'dismiss-message';
      dismiss.textContent = t('dismiss');
      dismiss.addEventListener('click', () => this.dismiss(m.id, el, dismiss));
      el.append(from, text, dismiss);
      return el;
    }));
    this.root.hidden = this.list.childElementCount === 0 && this.note.hidden;
  }

  async dismiss(id, el, button) {
    button.disabled = true;
    try {
      await api('POST', `${this.base}/messages/${id}/dismiss`);
      el.remove();
      this.root.hidden = this.list.childElementCount === 0 && this.note.hidden;
    } catch (err) {
      button.disabled = false;
      button.title = errorText(err, t);
    }
  }
}
