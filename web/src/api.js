// A small client for the playground's JSON API.

// ApiError is a failed request: the HTTP status, the error code and the
// message from the server's {"error":{...}} body, and Retry-After in seconds.
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// clockSkew is server time minus local time, in milliseconds, estimated from
// the Date header of the latest response.
let clockSkew = 0;

// serverNow returns the current time as the server sees it, in milliseconds.
export function serverNow() {
  return Date.now() + clockSkew;
}

// api sends a request and returns the parsed JSON body (null for 204). It
// throws ApiError for an error status and for a network failure (status 0).
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'network', '', 0);
  }
  const date = Date.parse(res.headers.get('Date') || '');
  if (!Number.isNaN(date)) clockSkew = date - Date.now();
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    // An empty or non-JSON body; the status says enough.
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const retry = parseInt(res.headers.get('Retry-After') || '', 10);
    throw new ApiError(res.status, e.code || 'internal', e.message || `${res.status} ${res.statusText}`,
      Number.isFinite(retry) ? retry : 0);
  }
  return data;
}

// errorText returns what to tell the learner about err.
export function errorText(err, t) {
  if (err instanceof ApiError) return err.status === 0 ? t('networkError') : err.message;
  return String((err && err.message) || err);
}
