// The session page: the top bar, the lab pane and the three terminals.

import { api, errorText, serverNow } from './api.js';
import { initialLang, lang, setLang, storedLang, t } from './i18n.js';
import { LabPane } from './lab.js';
import { setupDeviceLink } from './devices.js';
import { watchClassNews } from './class_news.js';
import { setupSplit } from './split.js';
import { NodeTerminal } from './terminal.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

export async function startSession() {
  setLang(initialLang());
  const id = decodeURIComponent(location.pathname.split('/')[2] || '');
  setupSplit($('split'), $('split-handle'));
  const controls = ['lang-switch', 'restart-lab', 'end-session', 'extend-session', 'pause-session'].map($);
  controls.forEach((b) => { b.disabled = true; });
  $('lang-switch').textContent = t('otherLang');

  let session;
  try {
    session = await api('GET', `/api/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    showBanner(err.status === 404 ? t('sessionNotFound') : errorText(err, t), true);
    closePage(controls);
    return;
  }
  if (!storedLang() && session.lang) setLang(session.lang);
  $('lang-switch').textContent = t('otherLang');
  if (session.status === 'ended') {
    showBanner(t(endedKey(session.ended_because)), true, startAgainFor(session));
    closePage(controls);
    return;
  }
  // Opening a paused session's page wakes it: its nodes start again, with
  // everything on their disks, and new shells.
  const paused = session.status === 'paused';
  if (paused) {
    showBanner(t('wakingUp'), false);
    $('time-left').textContent = t('wakingShort');
    try {
      session = await api('POST', `/api/sessions/${encodeURIComponent(id)}/resume`);
    } catch (err) {
      showBanner(errorText(err, t), true);
      closePage(controls);
      return;
    }
  }
  new SessionPage(session, controls).start();
  if (paused) showBanner(t('resumedBanner'), false);
}

// WARN_SECONDS is how long before the end the page warns.
const WARN_SECONDS = 300;

// MAX_NODES is the most nodes a session has (sessions.MaxNodes).
const MAX_NODES = 5;

// PORTS_POLL_MS is how often the nodes' listening ports are looked at.
const PORTS_POLL_MS = 4000;

class SessionPage {
  constructor(session, controls) {
    this.session = session;
    this.controls = controls;
    this.terminals = new Map();
    this.over = false;
    // A session without a lab is a free playground: terminals only, and
    // nodes the learner may add and remove.
    this.free = !session.lab;
    this.lab = this.free ? { load: async () => {}, start: () => {}, stop: () => {} } : new LabPane({
      root: $('lab-pane'),
      sessionId: session.id,
      labSlug: session.lab,
      terminal: (node) => this.terminals.get(node),
      onLoaded: (lab) => {
        $('lab-title').textContent = lab.title;
        document.title = `${lab.title} · ${t('product')}`;
      },
    });
  }

  // watchPorts keeps each node's port links up to date while the page is
  // visible.
  watchPorts() {
    const look = async () => {
      if (this.over) return;
      if (!document.hidden) {
        try {
          const res = await api('GET', `/api/sessions/${encodeURIComponent(this.session.id)}/ports`);
          for (const n of res.nodes || []) this.terminals.get(n.name)?.showPorts(n.ports || []);
        } catch {
          // The terminals show what is wrong; the links stay as they were.
        }
      }
      this.portsTimer = setTimeout(look, PORTS_POLL_MS);
    };
    look();
  }

  start() {
    this.controls.forEach((b) => { b.disabled = false; });
    $('lang-switch').addEventListener('click', () => this.switchLang());
    $('end-session').addEventListener('click', () => this.end());
    $('extend-session').addEventListener('click', () => this.extend());
    $('pause-session').addEventListener('click', () => this.pause());
    $('pause-session').title = t('pauseTitle');
    $('restart-lab').addEventListener('click', () => this.restart());
    this.tick();
    if (this.free) this.showFree();
    this.lab.load(lang());
    if (!this.over) {
      // Not expired before the page opened: attach the terminals.
      const pane = $('term-pane');
      for (const n of this.session.nodes || []) {
        const term = new NodeTerminal({
          sessionId: this.session.id,
          node: n.name,
          address: n.address,
          onEnded: () => this.finish(endedKey(this.endedBecause), 'sessionEnded'),
          onPaused: () => this.pausedElsewhere(),
          isLive: () => this.isLive(),
          onRemove: this.free && this.session.nodes.length > 1 ? (node) => this.removeNode(node) : null,
        });
        pane.append(term.el);
        term.mount();
        this.terminals.set(n.name, term);
      }
      this.lab.start();
      this.clock = setInterval(() => this.tick(), 1000);
      this.watchPorts();
    }
    this.expose();
    setupDeviceLink(this.session.id);
    if (!this.over) this.watchClass();
  }

  // watchClass listens to the class's instructor (class_news.js): more
  // time moves the clock, a fresh node reconnects its terminal at once.
  watchClass() {
    this.news = watchClassNews({
      sessionId: this.session.id,
      expiresAt: this.session.expires_at,
      onExpires: (at) => {
        this.session.expires_at = at;
        this.warned = false;
        this.tick();
      },
      onReset: (node) => {
        for (const [name, term] of this.terminals) if (!node || name === node) term.renewed();
      },
      // The instructor paused the class: the page says so. Resumed, the
      // page opens again, with new shells.
      onStatus: (status) => {
        if (status === 'paused') this.pausedElsewhere();
        else if (status === 'running' && this.session.status === 'paused') location.reload();
      },
    });
  }

  // pausedElsewhere shows the session paused by someone else (the class's
  // instructor, or the learner's other tab): the terminals stop for good,
  // since one reconnecting would wake the session.
  async pausedElsewhere() {
    if (this.over) return;
    this.session.status = 'paused';
    this.stopAll('pausedLabel');
    try {
      const s = await api('GET', `/api/sessions/${encodeURIComponent(this.session.id)}`);
      if (s.status !== 'paused') {
        location.reload();
        return;
      }
      this.session = s;
    } catch (err) {
      showBanner(errorText(err, t), false);
      return;
    }
    this.showPaused();
  }

  // showFree lays the page out for a free playground: no lab pane, and an
  // Add node button while the session has fewer than MAX_NODES.
  showFree() {
    $('split').classList.add('no-lab');
    $('lab-pane').hidden = true;
    $('split-handle').hidden = true;
    $('restart-lab').hidden = true;
    $('lab-title').textContent = t('freePlayground');
    document.title = `${t('freePlayground')} · ${t('product')}`;
    const add = $('add-node');
    add.hidden = false;
    add.disabled = (this.session.nodes || []).length >= MAX_NODES;
    add.title = add.disabled ? t('maxNodes', { n: MAX_NODES }) : '';
    add.addEventListener('click', () => this.addNode());
  }

  // addNode adds a node, then reloads the page, whose terminals come back
  // with their scrollback.
  async addNode() {
    const add = $('add-node');
    add.disabled = true;
    add.textContent = t('addingNode');
    try {
      await api('POST', `/api/sessions/${encodeURIComponent(this.session.id)}/nodes`);
      location.reload();
    } catch (err) {
      showBanner(errorText(err, t), false);
      add.textContent = t('addNode');
      add.disabled = false;
    }
  }

  // removeNode removes a node, its containers and files, after asking.
  async removeNode(node) {
    if (!window.confirm(t('confirmRemoveNode', { node }))) return;
    try {
      await api('DELETE', `/api/sessions/${encodeURIComponent(this.session.id)}/nodes/${encodeURIComponent(node)}`);
      location.reload();
    } catch (err) {
      showBanner(errorText(err, t), false);
    }
  }

  // extend adds time to the session, as far as the server allows.
  async extend() {
    const button = $('extend-session');
    button.disabled = true;
    try {
      const s = await api('POST', `/api/sessions/${encodeURIComponent(this.session.id)}/extend`);
      this.session.expires_at = s.expires_at;
      this.warned = false;
      hideBanner();
      this.tick();
    } catch (err) {
      showBanner(errorText(err, t), false);
    } finally {
      button.disabled = this.over;
    }
  }

  // pause stops the session's nodes, keeping their disks. The terminals
  // close first, for good: one reconnecting would wake the session.
  async pause() {
    const button = $('pause-session');
    button.disabled = true;
    this.stopAll('pausedLabel');
    showBanner(t('pausing'), false);
    try {
      this.session = await api('POST', `/api/sessions/${encodeURIComponent(this.session.id)}/pause`);
    } catch (err) {
      showBanner(t('pauseFailed', { error: errorText(err, t) }), false);
      return;
    }
    this.showPaused();
  }

  // showPaused says the session is paused, how much time it will have
  // when it resumes and until when it is kept, and offers Resume, which
  // reloads the page: opening it wakes the session.
  showPaused() {
    const s = this.session;
    const left = Math.max(0, Math.floor((Date.parse(s.expires_at) - Date.parse(s.paused_at)) / 1000));
    const el = $('time-left');
    el.classList.remove('low');
    el.textContent = t('pausedTime', { time: mmss(left) });
    const until = new Date(Date.parse(s.paused_until)).toLocaleString(lang(), { dateStyle: 'full', timeStyle: 'short' });
    showBanner(t('pausedBanner', { until }), false);
    const resume = document.createElement('button');
    resume.type = 'button';
    resume.dataset.testid = 'resume-session';
    resume.textContent = t('resumeSession');
    resume.addEventListener('click', () => location.reload());
    $('session-banner').append(' ', resume);
  }

  // stopAll stops the clock, the lab's polling and the terminals, showing
  // the label named by labelKey on each.
  stopAll(labelKey) {
    this.over = true;
    clearInterval(this.clock);
    clearTimeout(this.portsTimer);
    this.lab.stop();
    for (const term of this.terminals.values()) term.stop(labelKey);
    for (const key of ['restart-lab', 'extend-session', 'pause-session', 'add-node']) $(key).disabled = true;
  }

  // expose gives end-to-end tests a handle on the terminals.
  expose() {
    const get = (node) => {
      const term = this.terminals.get(node);
      if (!term) throw new Error(`no terminal ${node}`);
      return term;
    };
    window.playground = {
      terminals: Object.fromEntries([...this.terminals].map(([k, v]) => [k, v.term])),
      text: (node) => get(node).text(),
      connected: (node) => get(node).connected(),
      send: (node, s) => get(node).send(s),
      connects: (node) => get(node).connects || 0,
    };
  }

  tick() {
    const el = $('time-left');
    const left = Math.floor((Date.parse(this.session.expires_at) - serverNow()) / 1000);
    if (Number.isNaN(left)) {
      el.textContent = '';
      return;
    }
    if (left <= 0) {
      this.finish('expiredBanner', 'expired');
      el.textContent = t('expired');
      el.classList.add('expired');
      return;
    }
    el.textContent = t('timeLeft', { time: mmss(left) });
    el.classList.toggle('low', left < WARN_SECONDS);
    // Warn once before the end, while there is time to save work or extend.
    if (left < WARN_SECONDS && !this.warned) {
      this.warned = true;
      showBanner(t('endingSoon', { min: Math.max(1, Math.ceil(left / 60)) }), false);
    }
  }

  // finish stops everything that talks to the server: the session is over.
  // bannerKey and labelKey name what to show in i18n.js.
  finish(bannerKey, labelKey) {
    if (this.over) return;
    this.bannerKey = bannerKey;
    this.stopAll(labelKey);
    this.news?.stop();
    if (bannerKey !== 'expiredBanner') $('time-left').textContent = '';
    if (bannerKey) showBanner(t(bannerKey), true, startAgainFor(this.session, bannerKey));
  }

  switchLang() {
    setLang(lang() === 'fr' ? 'en' : 'fr');
    $('lang-switch').textContent = t('otherLang');
    for (const term of this.terminals.values()) term.relabel();
    $('pause-session').title = t('pauseTitle');
    if (this.session.status === 'paused') {
      this.showPaused();
      return;
    }
    if (this.over) {
      if (this.bannerKey) showBanner(t(this.bannerKey), true, startAgainFor(this.session, this.bannerKey));
      if (this.bannerKey === 'expiredBanner') $('time-left').textContent = t('expired');
      return;
    }
    this.tick();
    this.lab.load(lang());
  }

  // isLive asks the server whether the session still runs: true, false,
  // 'paused', or null when it cannot tell. The three terminals share one
  // answer for 2 s.
  isLive() {
    if (!this.livePromise) {
      this.livePromise = api('GET', `/api/sessions/${encodeURIComponent(this.session.id)}`).then(
        (s) => {
          this.endedBecause = s.ended_because || '';
          // A class's session that ended with its machine carries the
          // class's code, for Start again to take the seat again.
          if (s.class_code) this.session.class_code = s.class_code;
          return s.status === 'paused' ? 'paused' : s.status !== 'ended';
        },
        (err) => (err.status === 404 ? false : null),
      );
      setTimeout(() => { this.livePromise = null; }, 2000);
    }
    return this.livePromise;
  }

  async end() {
    if (!window.confirm(t('confirmEnd'))) return;
    $('end-session').disabled = true;
    try {
      await api('DELETE', `/api/sessions/${encodeURIComponent(this.session.id)}`);
    } catch (err) {
      if (err.status !== 404) {
        showBanner(errorText(err, t), false);
        $('end-session').disabled = false;
        return;
      }
    }
    this.finish('', 'sessionEnded');
    location.assign('/');
  }

  async restart() {
    if (!window.confirm(t('confirmRestart'))) return;
    $('restart-lab').disabled = true;
    try {
      await api('POST', `/api/sessions/${encodeURIComponent(this.session.id)}/progress/reset`);
      await this.lab.load(lang());
    } catch (err) {
      showBanner(errorText(err, t), false);
    } finally {
      $('restart-lab').disabled = this.over;
    }
  }
}

// mmss writes a number of seconds as minutes and seconds: 119:05.
function mmss(seconds) {
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

// closePage hides what only a live session needs.
function closePage(controls) {
  $('split').hidden = true;
  controls.forEach((b) => { b.hidden = true; });
}

// showBanner shows text above the panes; final banners link home.
// hideBanner takes a passing banner away.
function hideBanner() {
  const b = $('session-banner');
  if (!b.classList.contains('final')) b.hidden = true;
}

// againPending is set while Start again waits for its new session: a
// banner drawn again meanwhile (the language switched) must not start a
// second one.
let againPending = false;

function showBanner(text, final, again) {
  const b = $('session-banner');
  b.hidden = !text;
  b.className = `banner ${final ? 'final' : ''}`;
  b.textContent = text;
  if (final && text && again) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'primary';
    button.dataset.testid = 'start-again';
    button.textContent = t('startAgain');
    button.disabled = againPending;
    button.addEventListener('click', async () => {
      if (againPending) return;
      againPending = true;
      button.disabled = true;
      try {
        const s = await again();
        location.assign(`/s/${encodeURIComponent(s.id)}`);
      } catch (err) {
        againPending = false;
        button.disabled = false;
        const note = b.querySelector('.again-error') || document.createElement('span');
        note.className = 'again-error';
        note.textContent = ` ${errorText(err, t)}`;
        b.append(note);
      }
    });
    b.append(' ', button);
  }
  if (final && text) {
    const a = document.createElement('a');
    a.href = '/';
    a.textContent = t('backHome');
    b.append(' ', a);
  }
}

// endedKey is the banner of a session that ended, by why it ended: its
// machine was taken out of service or lost (a cluster's host), or else
// the plain "ended".
function endedKey(because) {
  if (because === 'host_serviced') return 'hostServicedBanner';
  if (because === 'host_lost') return 'hostLostBanner';
  if (because === 'node_lost') return 'nodeLostBanner';
  return 'endedBanner';
}

// startAgainFor returns, for a session its machine or a lost node took down, the function
// that starts the same lab again, in the same class if it was one (the
// learner's progress is theirs, not the session's); null otherwise.
function startAgainFor(session, bannerKey) {
  const key = bannerKey || endedKey(session.ended_because);
  if (!['hostServicedBanner', 'hostLostBanner', 'nodeLostBanner'].includes(key)) return null;
  if (session.class_code) {
    return () => api('POST', '/api/classrooms/join', { code: session.class_code });
  }
  return () => api('POST', '/api/sessions', session.lab ? { lab: session.lab, lang: session.lang || lang() } : undefined);
}
