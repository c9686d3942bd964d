// One node's terminal: an xterm.js view in a panel with a header, attached
// over a websocket to the node's shell, reconnecting when the link drops.

import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { attachClipboard } from './clipboard.js';
import { Transfers } from './transfer.js';
import { ACK, CONTROL, INPUT, RESIZE, binaryString, frame, parseControl, parseFrame } from './frames.js';
import { api, errorText } from './api.js';
import { t } from './i18n.js';

const BACKOFF_MIN = 500;
const BACKOFF_MAX = 5000;
const FIT_DEBOUNCE = 100;
const NOTICE_TIME = 6000;

// Close codes the server uses for a terminal that will never come back.
const CLOSE_UNAVAILABLE = 4503;
// Output is acknowledged once xterm has processed it, every ACK_EVERY bytes,
// so the server keeps only a small window of output in flight (see the
// README's protocol section): a flood never piles up stale screens.
const ACK_EVERY = 32 * 1024;
// The server ends an instructor's view when their login ends.
const CLOSE_LOGGED_OUT = 4401;

const theme = {
  background: '#12161c',
  foreground: '#d8dee9',
  cursor: '#f0c674',
  selectionBackground: '#3b4a5e',
};

export class NodeTerminal {
  // sessionId and node name the websocket; address is shown in the header;
  // onEnded is called once when the server says the session is gone.
  // isLive, when given, is asked after a connection is lost; it resolves to
  // false when the session has ended (closed class, expiry, another tab),
  // 'paused' when it is paused: onPaused is then called once, and the
  // terminal does not reconnect (that would wake the session).
  // canRestart offers a Restart button when the node has stopped (owners only).
  // files offers uploads and downloads (owners only).
  constructor({ sessionId, node, address, onEnded, onPaused, isLive, canRestart = true, files = canRestart, onRemove = null }) {
    this.sessionId = sessionId;
    this.node = node;
    // onRemove, when given, removes this node (a free playground's).
    this.onRemove = onRemove;
    this.onEnded = onEnded || (() => {});
    this.onPaused = onPaused || (() => {});
    this.isLive = isLive || (() => Promise.resolve(null));
    this.canRestart = canRestart;
    this.conn = null; // the current connection's state, see connect()
    this.queue = []; // programmatic input waiting for a connection
    this.backoff = BACKOFF_MIN;
    this.retryTimer = 0;
    this.fitTimer = 0;
    this.noticeTimer = 0;
    this.stopped = false;
    this.stateKey = '';
    this.pid = 0;
    this.size = { cols: 0, rows: 0 };
    this.buildPanel(address);
    this.term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      scrollback: 5000,
      theme,
    });
    this.fitAddon = new FitAddon();
    this.term.loadAddon(this.fitAddon);
    // URLs printed in the terminal open in a new tab, without a handle on
    // this page.
    this.term.loadAddon(new WebLinksAddon((ev, uri) => {
      ev.preventDefault();
      window.open(uri, '_blank', 'noopener,noreferrer');
    }));
    this.term.onData((data) => this.userInput(data));
    this.term.onBinary((data) => this.userInput(binaryString(data)));
    this.transfers = files ? new Transfers(this) : null;
    attachClipboard(this);
  }

  buildPanel(address) {
    const el = document.createElement('div');
    el.className = 'term';
    el.dataset.testid = `terminal-${this.node}`;
    el.dataset.node = this.node;
    el.innerHTML = '<div class="term-header"><span class="dot"></span><span class="term-name"></span>'
      + '<span class="term-state"></span><span class="term-notice" role="status"></span>'
      + '<span class="term-ports" data-testid="ports"></span>'
      + '<form class="term-open-port"><input type="number" min="1" max="65535" step="1" data-testid="open-port-input">'
      + '<button type="submit" data-testid="open-port"></button></form>'
      + '<button type="button" class="term-restart" hidden></button>'
      + '<button type="button" class="term-remove" hidden></button></div>'
      + '<div class="term-body"></div>';
    el.querySelector('.term-name').textContent = address ? `${this.node} · ${address}` : this.node;
    this.el = el;
    this.header = el.querySelector('.term-header');
    this.stateEl = el.querySelector('.term-state');
    this.noticeEl = el.querySelector('.term-notice');
    this.restartEl = el.querySelector('.term-restart');
    this.restartEl.dataset.testid = 'restart-node';
    this.restartEl.dataset.node = this.node;
    this.restartEl.addEventListener('click', () => this.restartNode());
    this.removeEl = el.querySelector('.term-remove');
    this.removeEl.dataset.testid = 'remove-node';
    this.removeEl.dataset.node = this.node;
    this.removeEl.hidden = !this.onRemove;
    this.removeEl.addEventListener('click', () => this.onRemove?.(this.node));
    this.body = el.querySelector('.term-body');
    this.portsEl = el.querySelector('.term-ports');
    this.portsEl.dataset.node = this.node;
    const form = el.querySelector('.term-open-port');
    this.portInput = form.querySelector('input');
    this.portButton = form.querySelector('button');
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const port = Number(this.portInput.value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        this.portInput.focus();
        return;
      }
      window.open(this.portURL(port), '_blank', 'noopener');
    });
    this.ports = [];
    this.labelPorts();
  }

  // portURL is the page's link that opens one of this node's ports.
  portURL(port) {
    return `/api/sessions/${encodeURIComponent(this.sessionId)}/nodes/${encodeURIComponent(this.node)}/ports/${port}/open`;
  }

  // showPorts lists the node's listening ports as links, each with a
  // button that shares it (a link for a classmate) or takes it back.
  showPorts(ports) {
    const key = (list) => list.map((p) => `${p.port}:${p.shared_url || ''}`).join(' ');
    if (key(ports) === key(this.ports)) return;
    this.ports = ports;
    this.portsEl.replaceChildren(...ports.map((p) => {
      const item = document.createElement('span');
      item.className = 'term-port';
      const a = document.createElement('a');
      a.href = p.url;
      a.target = '_blank';
      a.rel = 'noopener';
      a.textContent = `:${p.port}`;
      a.title = t('openPortTitle', { port: p.port, node: this.node });
      a.dataset.testid = 'port-link';
      a.dataset.port = String(p.port);
      const share = document.createElement('button');
      share.type = 'button';
      share.className = p.shared_url ? 'shared' : '';
      share.textContent = p.shared_url ? t('unsharePort') : t('sharePort');
      share.title = p.shared_url ? t('unsharePortTitle', { url: p.shared_url }) : t('sharePortTitle');
      share.dataset.testid = 'share-port';
      share.dataset.port = String(p.port);
      share.addEventListener('click', () => this.toggleShare(p));
      item.append(a, share);
      return item;
    }));
  }

  // toggleShare shares a port (and copies the link) or takes it back.
  async toggleShare(p) {
    const path = `/api/sessions/${encodeURIComponent(this.sessionId)}/nodes/${encodeURIComponent(this.node)}/ports/${p.port}/share`;
    try {
      if (p.shared_url) {
        await api('DELETE', path);
        this.showPorts(this.ports.map((x) => (x.port === p.port ? { ...x, shared_url: '' } : x)));
        this.notice(t('portUnshared', { port: p.port }));
        return;
      }
      const res = await api('POST', path);
      this.showPorts(this.ports.map((x) => (x.port === p.port ? { ...x, shared_url: res.url } : x)));
      try {
        await navigator.clipboard.writeText(res.url);
        this.notice(t('portShared', { port: p.port }));
      } catch {
        window.prompt(t('portSharedCopy', { port: p.port }), res.url);
      }
    } catch (err) {
      this.notice(errorText(err, t));
    }
  }

  labelPorts() {
    this.portInput.placeholder = t('portPlaceholder');
    this.portInput.setAttribute('aria-label', t('portPlaceholder'));
    this.portButton.textContent = t('openPort');
  }

  // mount opens the xterm inside the panel, which must be in the document,
  // and starts connecting.
  mount() {
    this.term.open(this.body);
    new ResizeObserver(() => this.scheduleFit()).observe(this.body);
    this.fitNow();
    // The cell size changes once the monospace font has loaded; fit again.
    document.fonts?.ready.then(() => this.scheduleFit());
    this.connect();
  }

  // setState shows the connection state; key names its label in i18n.js.
  setState(state, key) {
    this.el.dataset.state = state;
    this.stateKey = key;
    this.relabel();
  }

  // restartNode asks the server to start the node again (its container
  // stopped), then reconnects to its new shell.
  async restartNode() {
    this.restartEl.disabled = true;
    this.notice(t('restartingNode'));
    try {
      await api('POST', `/api/sessions/${encodeURIComponent(this.sessionId)}/nodes/${encodeURIComponent(this.node)}/restart`);
      this.restartEl.hidden = true;
      this.notice('');
      clearTimeout(this.retryTimer);
      this.backoff = BACKOFF_MIN;
      this.connect();
    } catch (err) {
      this.notice(err.message || t('nodeUnavailable'));
    } finally {
      this.restartEl.disabled = false;
    }
  }

  // renewed says the node was made anew (its instructor reset it) and
  // connects to its new shell now, without waiting for the backoff.
  renewed() {
    if (this.stopped) return;
    this.restartEl.hidden = true;
    this.el.dataset.renewed = String((Number(this.el.dataset.renewed) || 0) + 1);
    clearTimeout(this.noticeTimer);
    this.noticeEl.textContent = t('nodeRenewed');
    this.noticeTimer = setTimeout(() => { this.noticeEl.textContent = ''; }, 3 * NOTICE_TIME);
    this.backoff = BACKOFF_MIN;
    if (this.conn) return; // a connection under way reaches the new node
    clearTimeout(this.retryTimer);
    this.connect();
  }

  // relabel translates the header again, after a change of language.
  relabel() {
    this.restartEl.textContent = t('restartNode');
    if (this.removeEl) {
      this.removeEl.textContent = '×';
      this.removeEl.title = t('removeNode', { node: this.node });
      this.removeEl.setAttribute('aria-label', t('removeNode', { node: this.node }));
    }
    if (this.portInput) this.labelPorts();
    this.transfers?.relabel();
    const ro = this.term.options.disableStdin && this.el.dataset.state === 'connected';
    this.stateEl.textContent = ro ? `${t(this.stateKey)} · ${t('readonly')}` : t(this.stateKey || '');
    if (this.pid) this.header.title = t('shellPid', { pid: this.pid });
  }

  notice(text) {
    clearTimeout(this.noticeTimer);
    this.noticeEl.textContent = text;
    if (text) this.noticeTimer = setTimeout(() => { this.noticeEl.textContent = ''; }, NOTICE_TIME);
  }

  connect() {
    if (this.stopped || this.conn) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/api/sessions/${encodeURIComponent(this.sessionId)}`
      + `/nodes/${encodeURIComponent(this.node)}/terminal`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.connects = (this.connects || 0) + 1;
    // While conn.replay is set, input from xterm is dropped (it would be
    // xterm answering queries found in the replayed output). It is cleared
    // once replay-end has arrived and every replayed chunk has been rendered.
    const conn = { ws, replay: null, processed: 0, acked: 0 };
    this.conn = conn;
    if (this.el.dataset.state !== 'reconnecting') this.setState('connecting', 'connecting');
    ws.onopen = () => {
      this.setState('connected', 'connected');
      this.fitNow(true);
      for (const bytes of this.queue.splice(0)) ws.send(frame(INPUT, bytes));
    };
    ws.onmessage = (ev) => this.receive(conn, ev.data);
    ws.onclose = (ev) => this.closed(conn, ev.code);
  }

  receive(conn, data) {
    if (conn !== this.conn) return;
    const { type, payload } = parseFrame(data);
    if (type === INPUT) {
      const replay = conn.replay;
      const n = payload.length;
      if (replay && !replay.ended) {
        replay.pending++;
        this.term.write(payload, () => {
          replay.pending--;
          this.maybeEndReplay(conn, replay);
          this.processed(conn, n);
        });
      } else {
        this.term.write(payload, () => this.processed(conn, n));
      }
    } else if (type === CONTROL) {
      const msg = parseControl(payload);
      if (msg) this.control(conn, msg);
    }
  }

  // processed counts output xterm has rendered and acknowledges it.
  processed(conn, n) {
    conn.processed += n;
    if (conn.processed - conn.acked >= ACK_EVERY && conn.ws.readyState === WebSocket.OPEN) {
      conn.acked = conn.processed;
      conn.ws.send(frame(ACK, String(conn.processed)));
    }
  }

  control(conn, msg) {
    switch (msg.type) {
      case 'info': {
        this.backoff = BACKOFF_MIN;
        this.pid = msg.pid;
        this.term.options.disableStdin = !!msg.readonly;
        this.setState('connected', 'connected');
        break;
      }
      case 'replay-start':
        conn.replay = { ended: false, pending: 0 };
        this.term.reset();
        break;
      case 'replay-end':
        if (conn.replay) {
          conn.replay.ended = true;
          this.maybeEndReplay(conn, conn.replay);
        }
        break;
      case 'error':
        this.notice(msg.message || '');
        break;
      default:
        break;
    }
  }

  maybeEndReplay(conn, replay) {
    if (conn.replay === replay && replay.ended && replay.pending === 0) conn.replay = null;
  }

  closed(conn, code) {
    if (conn !== this.conn) return;
    this.conn = null;
    if (this.stopped) return;
    if (code === CLOSE_LOGGED_OUT) {
      this.stop('loggedOut');
      return;
    }
    if (code === CLOSE_UNAVAILABLE) {
      this.notice(t('nodeUnavailable'));
      this.restartEl.hidden = !this.canRestart;
    }
    this.setState('reconnecting', 'reconnecting');
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX);
    // The answer comes before the next try: a paused session is not woken.
    const waited = new Promise((resolve) => { this.retryTimer = setTimeout(resolve, delay); });
    Promise.all([this.isLive(), waited]).then(([live]) => {
      if (this.stopped) return;
      if (live === false) {
        this.stop('sessionEnded');
        this.onEnded();
      } else if (live === 'paused') {
        this.stop('pausedLabel');
        this.onPaused();
      } else {
        this.connect();
      }
    });
  }

  // stop closes the connection for good and shows the label named by key
  // in the header.
  stop(key) {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.queue = [];
    const conn = this.conn;
    this.conn = null;
    if (conn) conn.ws.close(1000);
    this.term.options.disableStdin = true;
    this.setState('ended', key);
  }

  userInput(bytesOrString) {
    const conn = this.conn;
    if (!conn || conn.replay || conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(frame(INPUT, bytesOrString));
  }

  // send types s into the shell, as if the learner had; it waits for the
  // connection when there is none yet.
  send(s) {
    if (this.stopped) return;
    const conn = this.conn;
    if (conn && conn.ws.readyState === WebSocket.OPEN) {
      conn.ws.send(frame(INPUT, s));
      return;
    }
    this.queue.push(new TextEncoder().encode(s));
    if (!conn) this.connect();
  }

  connected() {
    return !!this.conn && this.conn.ws.readyState === WebSocket.OPEN;
  }

  // text returns the whole active buffer: one line per row, wrapped rows
  // joined to the row they continue, trailing blanks removed.
  text() {
    const buf = this.term.buffer.active;
    const lines = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      const next = buf.getLine(i + 1);
      const wraps = !!next && next.isWrapped;
      const s = line.translateToString(!wraps);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += s;
      else lines.push(s);
    }
    return lines.join('\n').trimEnd();
  }

  // flash highlights the panel briefly, to show where a command went.
  flash() {
    this.el.classList.remove('flash');
    void this.el.offsetWidth; // restart the animation
    this.el.classList.add('flash');
  }

  scheduleFit() {
    clearTimeout(this.fitTimer);
    this.fitTimer = setTimeout(() => this.fitNow(), FIT_DEBOUNCE);
  }

  // fitNow sizes the terminal to its panel and tells the server when the
  // size changed (or always, with force).
  fitNow(force) {
    if (this.body.clientWidth > 0 && this.body.clientHeight > 0) this.fitAddon.fit();
    const { cols, rows } = this.term;
    if (!force && cols === this.size.cols && rows === this.size.rows) return;
    const conn = this.conn;
    if (!conn || conn.ws.readyState !== WebSocket.OPEN) return;
    this.size = { cols, rows };
    conn.ws.send(frame(RESIZE, JSON.stringify({ cols, rows })));
  }
}
