// The privacy officer's desk: alerts as they are raised, the disclosure
// register of a situation, what one person accessed, the audit log queried
// by its filters, and the log checked against a checkpoint this browser
// saved earlier (signature and RFC 9162 consistency proof, verified here, so
// a server rolled back to an older copy shows as failed).

import { call, when } from './api.js';
import { dateTime, midnight, number, t } from './i18n.js';
import { ask, field, h, screen, table } from './ui.js';
import { verifyConsistency, followKeys, verifyChained, fromBase64 } from './merkle.js';

const kSaved = 'hubtable.checkpoint';

export async function render(ctx) {
  const root = screen(t('privacy.title'));
  root.id = 'privacy-desk';
  const alerts = h('ul', { id: 'alerts', class: 'alerts', 'aria-live': 'polite' });
  root.append(
    h('section', { 'aria-labelledby': 'alerts-title' }, h('h3', { id: 'alerts-title' }, t('privacy.alerts')), alerts),
    checkpointPanel(ctx),
    lookup('register', t('privacy.register'), t('privacy.situation'), registerOf),
    lookup('access', t('privacy.access'), t('privacy.user'), accessOf),
    queryPanel());
  const r = await ask('AuditAlerts', { limit: 100 });
  const entries = (r && r.alerts) || [];
  if (!entries.length) alerts.append(h('li', { id: 'no-alerts' }, t('privacy.no_alerts')));
  for (const a of entries.reverse()) alerts.append(alertLine(a.event || {}, a.justification));
  ctx.onEvent((e) => {
    if (!e.kind || !e.kind.startsWith('alert.')) return;
    const none = document.getElementById('no-alerts');
    if (none) none.remove();
    alerts.prepend(h('li', { class: 'alert new' }, `${dateTime(when(e.timeUs))} · ${e.kind}: `, e.message || ''));
  });
}

function alertLine(ev, justification) {
  const a = ev.alert || {};
  return h('li', { class: 'alert' }, `${dateTime(when(ev.timeUs))} · ${ev.action}`,
    a.subject ? ` · ${a.subject}` : '', a.count ? ` · ${number(a.count)}` : '', a.problem ? ` · ${a.problem}` : '',
    justification ? h('span', { class: 'justification' }, ` · ${t('privacy.justification')}: `, justification) : '');
}

function lookup(name, title, what, run) {
  const input = h('input', { id: `${name}-input`, required: true, autocomplete: 'off' });
  // Wide tables scroll sideways on a phone: the region takes the keyboard.
  const out = h('div', { id: `${name}-result`, class: 'scroll', tabindex: '0', role: 'region', 'aria-label': title });
  const form = h('form', { id: `${name}-form` }, field(what, input), h('button', { type: 'submit' }, t('privacy.show')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.replaceChildren(await run(input.value.trim()));
  });
  return h('section', { 'aria-labelledby': `${name}-title` }, h('h3', { id: `${name}-title` }, title), form, out);
}

async function registerOf(situation) {
  const rows = [];
  let after = 0;
  for (;;) {
    const r = await ask('AuditDisclosures', { situation, afterSequence: String(after) });
    if (!r) return h('p', {}, '');
    for (const d of r.disclosures || []) {
      const who = d.recipient || {};
      rows.push([String(d.sequence), dateTime(when(d.timeUs)), `${who.username || ''} (${who.agency || ''})`, d.action,
        (d.dataElements || []).join(', '), d.legalAuthority || '', String(d.filterStage || '')]);
    }
    after = Number(r.nextAfter || 0);
    if (!after) break;
  }
  if (!rows.length) return h('p', {}, t('privacy.no_disclosures'));
  return table(t('privacy.register_of', { id: situation }),
    [t('col.seq'), t('col.when'), t('col.recipient'), t('col.action'), t('col.elements'), t('col.authority'), t('col.filter')], rows);
}

function eventsTable(caption, events) {
  if (!events.length) return h('p', {}, t('privacy.no_events'));
  return table(caption, [t('col.seq'), t('col.when'), t('col.actor'), t('col.action'), t('col.outcome'), t('col.id'), t('col.rule')],
    events.map((e) => [String(e.sequence), dateTime(when(e.timeUs), true), `${(e.actor || {}).username || ''} ${(e.actor || {}).agency ? `(${e.actor.agency})` : ''}`,
      e.action, t(`audit.${e.outcome || 'AUDIT_OUTCOME_UNSPECIFIED'}`), e.situation || '', e.rule || '']));
}

async function accessOf(user) {
  const r = await ask('AuditQuery', { user, action: 'situation.', limit: 1000 });
  if (!r) return h('p', {}, '');
  return eventsTable(t('privacy.access_of', { user }), r.events || []);
}

function queryPanel() {
  const inputs = {
    user: h('input', { autocomplete: 'off' }), agency: h('input', { autocomplete: 'off' }),
    situation: h('input', { autocomplete: 'off' }), action: h('input', { autocomplete: 'off', placeholder: 'situation.' }),
    from: h('input', { type: 'date' }), to: h('input', { type: 'date' }),
  };
  const outcome = h('select', {}, ['', 'AUDIT_OK', 'AUDIT_DENIED', 'AUDIT_ERROR'].map((o) =>
    h('option', { value: o }, o ? t(`audit.${o}`) : t('privacy.any'))));
  const out = h('div', { id: 'query-result', class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('privacy.query_result') });
  const form = h('form', { id: 'query-form', class: 'grid-form' },
    field(t('privacy.user'), inputs.user), field(t('privacy.agency'), inputs.agency),
    field(t('privacy.situation'), inputs.situation), field(t('privacy.action'), inputs.action, t('privacy.action_hint')),
    field(t('privacy.outcome'), outcome), field(t('privacy.from'), inputs.from), field(t('privacy.to'), inputs.to),
    h('button', { type: 'submit' }, t('privacy.query')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = { limit: 200 };
    for (const k of ['user', 'agency', 'situation', 'action']) if (inputs[k].value.trim()) q[k] = inputs[k].value.trim();
    if (outcome.value) q.outcome = outcome.value;
    // Dates are the table's days: from its midnight, to the next one.
    const day = (v, plus) => String((dayStart(v) + plus * 86400000) * 1000);
    if (inputs.from.value) q.fromUs = day(inputs.from.value, 0);
    if (inputs.to.value) q.toUs = day(inputs.to.value, 1);
    const r = await ask('AuditQuery', q);
    out.replaceChildren(r ? eventsTable(t('privacy.query_result'), r.events || []) : '');
  });
  return h('section', { 'aria-labelledby': 'query-title' }, h('h3', { id: 'query-title' }, t('privacy.query_title')), form, out);
}

/** Midnight of a YYYY-MM-DD day in the table's zone, as epoch milliseconds. */
function dayStart(value) {
  const [y, m, d] = value.split('-').map(Number);
  return midnight(y, m, d);
}

function savedCheckpoint(ctx) {
  try {
    const all = JSON.parse(localStorage.getItem(kSaved) || '{}');
    return all[ctx.table] || null;
  } catch {
    return null;
  }
}

function saveCheckpoint(ctx, c) {
  const all = JSON.parse(localStorage.getItem(kSaved) || '{}');
  all[ctx.table] = c;
  localStorage.setItem(kSaved, JSON.stringify(all));
}

function checkpointPanel(ctx) {
  const status = h('p', { id: 'verify-result', 'aria-live': 'polite' });
  const describe = () => {
    const c = savedCheckpoint(ctx);
    return c ? t('privacy.saved_is', { size: number(c.treeSize), when: dateTime(when(c.timeUs), true) }) : t('privacy.none_saved');
  };
  const savedLine = h('p', { id: 'saved-checkpoint' }, describe());
  const save = async () => {
    const r = await ask('AuditCheckpoint', {});
    if (!r) return;
    // The key this browser pinned (the server's on first use), followed
    // through any rotation to the key that signs now, which it pins next.
    const pinned = savedCheckpoint(ctx);
    const chain = await followKeys(pinned ? pinned.publicKey : r.publicKey, r.keyRotations);
    if (!(await verifyChained(chain, r.checkpoint))) {
      status.textContent = t('privacy.bad_signature');
      status.className = 'failed';
      return;
    }
    const c = r.checkpoint;
    const key = chain.keys[chain.keys.length - 1];
    saveCheckpoint(ctx, { origin: c.origin, treeSize: String(c.treeSize || 0), rootHash: c.rootHash, timeUs: String(c.timeUs || 0), publicKey: key });
    savedLine.textContent = describe();
    status.textContent = t('privacy.saved');
    status.className = 'passed';
  };
  const verify = async () => {
    const saved = savedCheckpoint(ctx);
    if (!saved) {
      status.textContent = t('privacy.none_saved');
      return;
    }
    // Reported as `audit verify` reports it, so the other privacy officers
    // are alerted: the events missing (rolled back), changed, or unsigned.
    const failed = async (problem, size) => {
      status.textContent = t('privacy.verify_failed', { problem: t(`problem.${problem}`) });
      status.className = 'failed';
      const firstBad = problem === 'missing' ? String(Number(size || 0) + 1) : '1';
      await call('AuditReportFailure', { problem, treeSize: String(size || 0), firstBad, lastBad: saved.treeSize });
    };
    const latest = await ask('AuditCheckpoint', {});
    if (!latest) return;
    const now = latest.checkpoint || {};
    const chain = await followKeys(saved.publicKey, latest.keyRotations);
    if (!(await verifyChained(chain, now))) return failed('unsigned', now.treeSize);
    if (Number(now.treeSize || 0) < Number(saved.treeSize)) return failed('missing', now.treeSize);
    const r = await call('AuditCheckpoint', { fromSize: saved.treeSize, treeSize: String(now.treeSize || 0) });
    if (!r.ok) return failed('missing', now.treeSize);
    const c = r.body.checkpoint || {};
    const consistent = await verifyChained(chain, c) && await verifyConsistency(
      Number(saved.treeSize), Number(c.treeSize || 0), fromBase64(saved.rootHash), fromBase64(c.rootHash || ''),
      (r.body.consistencyProof || []).map(fromBase64));
    if (!consistent) return failed('changed', c.treeSize);
    const current = chain.keys[chain.keys.length - 1];
    if (current !== saved.publicKey) {
      // Followed a rotation: the key that signs now is pinned from here on.
      saveCheckpoint(ctx, { ...saved, publicKey: current });
      const at = chain.sizes[chain.sizes.length - 1];
      status.textContent = t('privacy.verified_rotated', { from: number(saved.treeSize), to: number(c.treeSize), at: number(at) });
    } else {
      status.textContent = t('privacy.verified', { from: number(saved.treeSize), to: number(c.treeSize) });
    }
    status.className = 'passed';
    return null;
  };
  return h('section', { 'aria-labelledby': 'checkpoint-title' },
    h('h3', { id: 'checkpoint-title' }, t('privacy.checkpoint')),
    h('p', { class: 'hint' }, t('privacy.checkpoint_hint')), savedLine,
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'verify-log', class: 'primary', onclick: verify }, t('privacy.verify')),
      h('button', { type: 'button', id: 'save-checkpoint', onclick: save }, t('privacy.save'))),
    status);
}
