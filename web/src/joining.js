// Taking a seat in a class, shared by the home page's code box and the
// join page.

import { api } from './api.js';
import { ct } from './class_text.js';

// joinAndGo asks for a seat and goes to the learner's session. A full
// playground is tried again after the delay the server gives, counting down
// through show(text, kind); any other error is thrown to the caller.
export async function joinAndGo(code, name, show) {
  for (;;) {
    show(ct('joining'), 'busy');
    try {
      const s = await api('POST', '/api/classrooms/join', { code, name });
      location.assign(`/s/${encodeURIComponent(s.id)}`);
      return;
    } catch (err) {
      if (!(err.status === 503 && (err.code === 'full' || err.retryAfter > 0))) throw err;
      await countdown(Math.max(1, err.retryAfter || 10), (n) => show(ct('full', { n }), 'busy'));
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
