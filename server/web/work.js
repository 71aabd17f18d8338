// My work: what is due for me and my agency (acknowledge, intervene, update),
// my table's situations, and a situation's page with the case work its state
// allows: join, identify (a form; nothing kept on the device), reveal (the
// disclosure is recorded under the user's name, and the page says so), plan
// notes, the intervention, an update, closure.

import { when } from './api.js';
import { dateTime, t } from './i18n.js';
import { ask, checks, field, h, label, say, screen, select, table, uid, vocabulary } from './ui.js';

export async function list(ctx) {
  const root = screen(t('work.title'));
  const [tasks, situations] = await Promise.all([
    ask('Tasks', {}),
    ctx.has('ADMIN') ? null : ask('ListSituations', { pageSize: 100 }),
  ]);
  const due = h('section', { 'aria-labelledby': 'due-title' }, h('h3', { id: 'due-title' }, t('work.due')));
  const items = (tasks && tasks.tasks) || [];
  if (!items.length) due.append(h('p', { id: 'nothing-due' }, t('work.nothing_due')));
  const ul = h('ul', { id: 'tasks', class: 'tasks' });
  for (const task of items) {
    ul.append(h('li', { class: task.overdue ? 'overdue' : '' },
      h('a', { href: `#/situation/${encodeURIComponent(task.situation)}` }, t(`task.${task.kind}`, { id: task.situation })),
      ' ', h('span', { class: 'due' }, task.dueUs ? t(task.overdue ? 'work.overdue_since' : 'work.due_by', { when: dateTime(when(task.dueUs)) }) : '')));
  }
  due.append(ul);
  root.append(due);
  if (situations) {
    const rows = [];
    for (const s of situations.situations || []) {
      rows.push([
        h('a', { href: `#/situation/${encodeURIComponent(s.id)}` }, s.id),
        await label('situation_type', s.situationType),
        s.originatingAgency || '',
        t(`state.${s.state}`),
        s.leadAgency || '',
        dateTime(when(s.submittedUs)),
      ]);
    }
    root.append(h('section', { 'aria-label': t('work.situations'), class: 'scroll', tabindex: '0' },
      rows.length ? table(t('work.situations'), [t('col.id'), t('col.type'), t('col.from'), t('col.state'), t('col.lead'), t('col.submitted')], rows)
        : h('p', { id: 'list-title' }, t('work.no_situations'))));
  }
  ctx.onEvent((e) => {
    if (e.kind && e.kind.startsWith('situation.')) list(ctx);
  });
}

function dl(pairs) {
  return h('dl', { class: 'record' }, pairs.filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function labels(kind, codes) {
  const out = [];
  for (const c of codes || []) out.push(await label(kind, c));
  return out.join('; ');
}

export async function situation(ctx, id) {
  const latest = ctx.drawing();
  const shown = await ask('ShowSituation', { id });
  if (!latest()) return;
  const root = screen(t('situation.title', { id }));
  root.id = 'situation-page';
  if (!shown) return;
  const s = shown.situation || {};
  const mine = ctx.agency && s.originatingAgency === ctx.agency;
  const joined = ctx.agency && (s.joinedAgencies || []).includes(ctx.agency);
  const lead = ctx.agency && s.leadAgency === ctx.agency;
  root.append(dl([
    [t('col.state'), t(`state.${s.state}`)],
    [t('col.type'), await label('situation_type', s.situationType)],
    [t('col.from'), s.originatingAgency],
    [t('submit.age'), s.ageBand ? await label('age_band', s.ageBand) : ''],
    [t('submit.gender'), s.gender ? await label('gender', s.gender) : ''],
    [t('submit.risk_factors'), await labels('risk_factor', s.riskFactors)],
    [t('submit.protective'), await labels('protective_factor', s.protectiveFactors)],
    [t('col.submitted'), dateTime(when(s.submittedUs))],
    [t('situation.joined'), (s.joinedAgencies || []).join(', ')],
    [t('col.lead'), s.leadAgency],
    [t('situation.assisting'), (s.assistingAgencies || []).join(', ')],
    [t('situation.ack_due'), s.ackDueUs && !s.ackedUs ? dateTime(when(s.ackDueUs)) : ''],
    [t('situation.acked'), dateTime(when(s.ackedUs))],
    [t('situation.intervention_due'), s.interventionDueUs && !s.intervenedUs ? dateTime(when(s.interventionDueUs)) : ''],
    [t('situation.intervened'), dateTime(when(s.intervenedUs))],
    [t('situation.closed'), s.closedUs ? `${dateTime(when(s.closedUs))} (${await label('closure_reason', s.closureReason)})` : ''],
    [t('situation.identified'), s.identified ? t('yes') : ''],
  ]));
  if (s.narrative) root.append(h('h3', {}, t('submit.narrative')), h('p', { class: 'narrative' }, s.narrative));
  for (const u of s.updates || []) {
    root.append(h('p', { class: 'update' }, `${dateTime(when(u.timeUs))} · ${u.agency}: `, u.text));
  }
  const again = () => situation(ctx, id);
  const open = s.state === 'ACCEPTED';
  if (open && ctx.has('REP') && !joined && !s.leadAgency) {
    root.append(action(t('situation.join'), 'join', async () => {
      if (await ask('JoinSituation', { id })) again();
    }));
  }
  if (open && mine && !s.identified) root.append(await identifyForm(id, again));
  if (open && joined) root.append(revealPanel(ctx, id));
  if (open && lead && !s.ackedUs && s.leadAgency) {
    root.append(action(t('situation.ack'), 'ack', async () => {
      if (await ask('AckSituation', { id })) {
        say(t('situation.acked_say'), 'notice');
        again();
      }
    }));
  }
  if (open && joined) root.append(await planPanel(id));
  // Recorded once (the server refuses a second record): the form goes with it.
  if (open && lead && s.ackedUs && !s.intervenedUs) root.append(await interveneForm(s, again));
  if (open && joined && s.leadAgency) root.append(updateForm(id, again));
  // The chair closes (the table's decision), usually once the lead reports.
  if (open && ctx.has('CHAIR')) root.append(await closeForm(id, again));
  ctx.onEvent((e) => {
    if (e.situation === id) again();
  });
}

function action(text, name, fn) {
  return h('div', { class: 'actions' }, h('button', { type: 'button', id: `do-${name}`, class: 'primary', onclick: fn }, text));
}

function section(title, ...children) {
  const hid = uid('h');
  return h('section', { class: 'case-action', 'aria-labelledby': hid }, h('h3', { id: hid }, title), children);
}

async function identifyForm(id, done) {
  const authorities = await vocabulary('legal_authority');
  const name = h('input', { autocomplete: 'off', required: true, id: 'id-name' });
  const dob = h('input', { type: 'date', autocomplete: 'off', required: true, id: 'id-dob' });
  const address = h('input', { autocomplete: 'off', required: true, id: 'id-address' });
  const phone = h('input', { type: 'tel', autocomplete: 'off', id: 'id-phone' });
  const authority = select(authorities.map((a) => ({ code: a.code, label: `${a.code}: ${(a.details && a.details.summary) || a.label}` })),
    { blank: t('submit.pick'), required: true });
  authority.id = 'id-authority';
  const form = h('form', { id: 'identify-form', autocomplete: 'off' },
    h('p', { class: 'hint' }, t('identify.hint')),
    field(t('identify.name'), name), field(t('identify.dob'), dob), field(t('identify.address'), address),
    field(t('identify.phone'), phone), field(t('identify.authority'), authority),
    h('button', { type: 'submit', class: 'primary' }, t('identify.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const person = { name: name.value, dateOfBirth: dob.value, address: address.value };
    if (phone.value) person.phone = phone.value;
    const r = await ask('IdentifySituation', { id, people: [person], legalAuthority: authority.value });
    form.reset();  // nothing typed stays on the page
    if (!r) return;
    say(t('identify.done'), 'notice');
    done();
  });
  return section(t('identify.title'), form);
}

function revealPanel(ctx, id) {
  const out = h('div', { id: 'revealed', 'aria-live': 'polite' });
  const body = section(t('reveal.title'),
    h('p', { class: 'hint', id: 'reveal-warning' }, t('reveal.warning', { name: ctx.who.displayName || ctx.who.username, agency: ctx.who.agencyName || ctx.agency })),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'do-reveal', class: 'primary', onclick: async () => {
        const r = await ask('RevealSituation', { id });
        if (!r) return;
        const people = r.people || [];
        out.replaceChildren(
          h('p', { class: 'notice' }, t('reveal.recorded', { authority: r.legalAuthority || '' })),
          ...people.map((p) => dl([[t('identify.name'), p.name], [t('identify.dob'), p.dateOfBirth],
            [t('identify.address'), p.address], [t('identify.phone'), p.phone || '']])),
          (r.repeatSituations || []).length ? h('p', {}, t('reveal.repeats', { ids: r.repeatSituations.join(', ') })) : null,
          h('button', { type: 'button', id: 'hide-reveal', onclick: () => out.replaceChildren() }, t('reveal.hide')));
      } }, t('reveal.button'))),
    out);
  return body;
}

async function planPanel(id) {
  const notes = await ask('PlanSituation', { id });
  const list = h('ul', { id: 'plan-notes' }, ((notes && notes.notes) || []).map((n) =>
    h('li', {}, `${dateTime(when(n.timeUs))} · ${n.agency} (${n.author}): `, n.note)));
  const text = h('textarea', { rows: '3', id: 'plan-text' });
  const form = h('form', {}, field(t('plan.note'), text, t('plan.hint')),
    h('button', { type: 'submit' }, t('plan.add')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    if (await ask('PlanSituation', { id, note: text.value })) {
      text.value = '';
      const again = await planPanel(id);
      form.closest('section').replaceWith(again);
    }
  });
  return section(t('plan.title'), list, form);
}

async function interveneForm(s, done) {
  const outcomes = await vocabulary('intervention_outcome');
  const at = h('input', { type: 'datetime-local', step: '1', required: true, id: 'intervene-at' });
  const now = new Date();
  at.value = new Date(now.getTime() - now.getTimezoneOffset() * 60e3).toISOString().slice(0, 19);
  const outcome = select(outcomes, { blank: t('submit.pick'), required: true });
  outcome.id = 'intervene-outcome';
  const present = checks(t('intervene.present'), (s.joinedAgencies || []).map((a) => ({ code: a, label: a })), [s.leadAgency]);
  const form = h('form', { id: 'intervene-form' }, field(t('intervene.when'), at, t('intervene.when_hint')),
    field(t('intervene.outcome'), outcome), present.node, h('button', { type: 'submit', class: 'primary' }, t('intervene.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // The time is typed in the device's clock; the server keeps UTC.
    const occurredUs = at.value ? String(new Date(at.value).getTime() * 1000) : '0';
    const r = await ask('InterveneSituation', { id: s.id, occurredUs, outcome: outcome.value, agenciesPresent: present.values() });
    if (r) done();
  });
  return section(t('intervene.title'), form);
}

function updateForm(id, done) {
  const text = h('textarea', { rows: '3', id: 'update-text' });
  const form = h('form', {}, field(t('update.text'), text, t('update.hint')), h('button', { type: 'submit' }, t('update.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await ask('UpdateSituation', { id, text: text.value })) done();
  });
  return section(t('update.title'), form);
}

async function closeForm(id, done) {
  const [reasons, services, protective] = await Promise.all(
    ['closure_reason', 'service', 'protective_factor'].map((k) => vocabulary(k)));
  const reason = select(reasons, { blank: t('submit.pick'), required: true });
  reason.id = 'close-reason';
  const serviceChecks = checks(t('close.services'), services);
  const protectiveChecks = checks(t('submit.protective'), protective);
  const form = h('form', { id: 'close-form' }, field(t('close.reason'), reason), serviceChecks.node, protectiveChecks.node,
    h('button', { type: 'submit', class: 'primary' }, t('close.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await ask('CloseSituation', { id, closureReason: reason.value, servicesMobilized: serviceChecks.values(), protectiveFactors: protectiveChecks.values() });
    if (r) done();
  });
  return section(t('close.title'), form);
}
