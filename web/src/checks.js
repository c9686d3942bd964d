// Section checks: one request at a time, plus the automatic check of the
// section the learner is working on.

const AUTO_INTERVAL = 5000;

export class Checks {
  // check(sectionId, quiet, auto) performs one check and returns a promise
  // (quiet: failures are not shown; auto: the server records only a pass);
  // nextSection() names the section to check automatically, or ''.
  constructor({ check, nextSection }) {
    this.check = check;
    this.nextSection = nextSection;
    this.tail = null; // the last queued check, or null when idle
    this.autoTimer = 0;
    this.timers = new Set();
    this.pending = new Map(); // section id → its later checks' timers
    this.stopped = false;
  }

  // run queues a check after any in flight, so requests never overlap.
  run(sectionId, quiet, auto) {
    if (this.stopped) return Promise.resolve();
    const prev = this.tail || Promise.resolve();
    const p = prev.catch(() => {}).then(() => (this.stopped ? undefined : this.check(sectionId, quiet, auto)));
    this.tail = p;
    const clear = () => {
      if (this.tail === p) this.tail = null;
    };
    p.then(clear, clear);
    return p;
  }

  // later runs a quiet check of sectionId after each of the delays (ms). These
  // follow a Run click, so the server records them as attempts. A later call
  // for the same section replaces the checks it had pending: a learner who
  // clicks five Run buttons in a row gets the checks of the last click, not
  // ten, which would use up the session's allowance for checks.
  later(sectionId, delays) {
    for (const id of this.pending.get(sectionId) || []) {
      clearTimeout(id);
      this.timers.delete(id);
    }
    const ids = delays.map((d) => {
      const id = setTimeout(() => {
        this.timers.delete(id);
        this.run(sectionId, true).catch(() => {});
      }, d);
      this.timers.add(id);
      return id;
    });
    this.pending.set(sectionId, ids);
  }

  // start begins the automatic checks: every few seconds, when the tab is
  // visible and no check is in flight.
  start() {
    clearInterval(this.autoTimer);
    this.autoTimer = setInterval(() => this.tick(), AUTO_INTERVAL);
  }

  tick() {
    if (this.stopped || this.tail || document.hidden) return;
    const id = this.nextSection();
    if (id) this.run(id, true, true).catch(() => {});
  }

  stop() {
    this.stopped = true;
    clearInterval(this.autoTimer);
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
    this.pending.clear();
  }
}
