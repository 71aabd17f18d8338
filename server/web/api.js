// The one way the page talks to hubtabled: POST /api/v1/<RequestName> with
// the request in protobuf's JSON mapping, and GET /api/v1/events for what
// `hubtable watch` receives. The session is a __Host- cookie the page never
// sees; every call carries the CSRF header the server requires.

const listeners = { locked: [], activity: [] };

/** Registers `fn` for 'locked' (the session ended) or 'activity' (a call succeeded). */
export function on(what, fn) {
  listeners[what].push(fn);
}

function emit(what, arg) {
  for (const fn of listeners[what]) fn(arg);
}

// How long a call may keep waiting out refusals that name a wait.
const RETRY_BUDGET_MS = 15000;

/**
 * Calls one request. Resolves to {ok, status, body}: `body` is the response
 * message of the request's kind (e.g. the WhoAmIResponse), `status` the
 * server's {code, message, rule}. A refusal that did nothing and names a
 * wait (`retryAfterMs`: the connection's request rate, a busy server) is
 * waited out and the request sent again, as the command line does.
 */
export async function call(name, request = {}) {
  const giveUp = Date.now() + RETRY_BUDGET_MS;
  for (;;) {
    const result = await callOnce(name, request);
    const wait = Number(result.status.retryAfterMs || 0);
    if (result.ok || wait <= 0 || Date.now() + wait > giveUp) return result;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function callOnce(name, request) {
  let answer;
  try {
    answer = await fetch(`/api/v1/${name}Request`, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'X-Hubtable-CSRF': '1' },
      body: JSON.stringify(request),
    });
  } catch {
    return { ok: false, status: { code: 'UNAVAILABLE', rule: 'net.unreachable' }, body: {} };
  }
  let response = {};
  try {
    response = await answer.json();
  } catch {
    response = { status: { code: 'UNKNOWN', rule: 'http.bad_answer' } };
  }
  const status = response.status || {};
  status.code = status.code || 'OK';
  const kind = Object.keys(response).find((k) => k !== 'status');
  const ok = status.code === 'OK';
  if (answer.status === 401 && name !== 'Login') emit('locked', status);
  else if (ok) emit('activity');
  return { ok, status, body: (kind && response[kind]) || {} };
}

/** Follows the event stream; `fn` gets each Event. Returns a closer. */
export function follow(fn) {
  const source = new EventSource('/api/v1/events');
  source.onmessage = (m) => {
    try {
      fn(JSON.parse(m.data));
    } catch {
      // A malformed event is dropped; the next one still arrives.
    }
  };
  return () => source.close();
}

/** Microseconds (int64 as JSON string or number) to a Date; null for 0. */
export function when(us) {
  const n = Number(us || 0);
  return n ? new Date(n / 1000) : null;
}
