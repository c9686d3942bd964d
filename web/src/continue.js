// The page of a link to continue on another device (/continue/{token}): it
// says whose session the link opens and what this browser would leave, and
// makes this browser that learner only when asked (a click, so that another
// site cannot switch a browser to someone else's identity).

import { api, errorText } from './api.js';
import { applyI18n, initialLang, setLang, t } from './i18n.js';
import { showStatus } from './status.js';
import { day } from './devices.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

export async function startContinue() {
  setLang(initialLang());
  applyI18n(document);
  const token = decodeURIComponent(location.pathname.split('/')[2] || '');
  let info;
  try {
    info = await api('POST', '/api/continue', { token });
  } catch (err) {
    refuse(errorText(err, t));
    return;
  }
  const where = info.classroom
    ? t('continueClass', { name: info.name, classroom: info.classroom })
    : t('continueAnon');
  const what = info.session_live ? t('continueSession', { lab: info.lab_title || t('freePlayground') }) : t('continueEnded');
  $('continue-info').textContent = `${where} ${what} ${t('continueUntil', { date: day(info.expires_at) })}`;
  if (info.same_learner) {
    // This browser is that learner already: nothing to ask.
    use(token);
    return;
  }
  if (info.own_sessions > 0) {
    const warn = $('continue-warning');
    warn.textContent = t('continueLeaves', { n: info.own_sessions });
    warn.hidden = false;
  }
  $('continue-actions').hidden = false;
  $('continue-use').addEventListener('click', () => use(token));
}

// use makes this browser the link's learner and goes where the link leads.
async function use(token) {
  $('continue-use').disabled = true;
  showStatus($('continue-status'), t('continuing'), 'busy');
  try {
    const res = await api('POST', '/api/continue/use', { token });
    location.assign(res.to);
  } catch (err) {
    refuse(errorText(err, t));
  }
}

// refuse says why the link opens nothing.
function refuse(text) {
  $('continue-actions').hidden = true;
  $('continue-warning').hidden = true;
  const status = $('continue-status');
  status.dataset.state = 'refused';
  showStatus(status, text, 'error');
  const a = document.createElement('a');
  a.href = '/';
  a.textContent = t('backHome');
  status.append(' ', a);
}
