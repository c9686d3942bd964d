// Taking a seat in a class, shared by the home page's code box and the
// join page.

import { api } from './api.js';
import { t } from './i18n.js';

// PHASE_POLL_MS is how often a cold start is asked what it is doing.
const PHASE_POLL_MS = 300;

// joinAndGo asks for a seat and goes to the learner's session. A full
// playground is tried again after the delay the server gives, counting down
// through show(text, kind); any other error is thrown to the caller.
export async function joinAndGo(code, name, show) {
  for (;;) {
    show(t('joiningNodes'), 'busy');
    // Without a ready seat the session starts cold: say how far it is.
    const watch = setInterval(async () => {
      try {
        const list = (await api('GET', '/api/sessions')).sessions || [];
        const s = list.find((x) => x.status === 'starting' && x.phase);
        if (s) show(t(s.phase === 'engines' ? 'phaseEngines' : 'phaseNodes'), 'busy');
      } catch {
        // The join's own answer says what went wrong.
      }
    }, PHASE_POLL_MS);
    try {
      const s = await api('POST', '/api/classrooms/join', { code, name });
      clearInterval(watch);
      location.assign(`/s/${encodeURIComponent(s.id)}`);
      return;
    } catch (err) {
      clearInterval(watch);
      if (!(err.status === 503 && (err.code === 'full' || err.retryAfter > 0))) throw err;
      await countdown(Math.max(1, err.retryAfter || 10), (n) => show(t('full', { n }), 'busy'));
    }
  }
}

// countdown calls tick(n) once a second from seconds down to 1, then resolves.
function countdown(seconds, tick) {
  return new Promise((resolve) => {
    let left = seconds;
    const step = () => {
      if (left <= 0) {
        resolve();
        return;
      }
      tick(left);
      left--;
      setTimeout(step, 1000);
    };
    step();
  });
}
