// The meeting room: the chair runs the open meeting on the shared screen
// (agenda in large type, the current item with its de-identified summary and
// the countdown of its time box, attendance, decide / reject / defer with one
// key and an undo until the meeting closes, the lead named in one step); reps
// follow the same item on their own devices, check in and join with a click.

import { call, when } from './api.js';
import { clock, dateTime, t } from './i18n.js';
import { ask, h, label, say, sayRefusal, screen, select, vocabulary } from './ui.js';

let room = null;  // the shown room's state; null when another screen is shown

function openMeeting(meetings) {
  return (meetings.upcoming || []).find((m) => m.state === 'MEETING_OPEN') || null;
}

async function agendaItems(ref) {
  const items = [];
  let after = 0;
  for (;;) {
    const a = await ask('Agenda', { ref, afterPosition: after });
    if (!a) return null;
    items.push(...((a.agenda && a.agenda.items) || []));
    after = (a.agenda && a.agenda.nextAfterPosition) || 0;
    if (!after) return { meeting: a.meeting, agenda: a.agenda || {}, items };
  }
}

export async function render(ctx) {
  const chair = ctx.has('CHAIR');
  const root = screen(t('meeting.title'));
  root.id = 'meeting-room';
  root.classList.add(chair ? 'room-chair' : 'room');
  const list = await ask('ListMeetings', { upcoming: 1, past: 0 });
  if (!list) return;
  const meeting = openMeeting(list);
  if (!meeting) return noMeeting(ctx, root, list);
  room = {
    ctx, chair, root, meeting, ref: { meeting: meeting.id }, items: [], deferred: new Set(),
    current: null, startedAt: 0, timer: null,
  };
  root.append(
    h('p', { class: 'meeting-when' }, t('meeting.open_since', { when: meeting.localStart || dateTime(when(meeting.openedUs)) })),
    chair ? h('p', { class: 'keys hint' }, t('meeting.keys')) : null,
    h('div', { class: 'room-grid' },
      h('section', { 'aria-labelledby': 'agenda-title', class: 'room-agenda' },
        h('h3', { id: 'agenda-title' }, t('meeting.agenda')),
        h('p', { id: 'agenda-fit', class: 'hint' }),
        h('ol', { id: 'agenda', class: 'agenda' })),
      h('section', { id: 'current', 'aria-labelledby': 'current-title', class: 'current' }),
      h('div', { class: 'room-side' },
        h('section', { 'aria-labelledby': 'checkin-title' },
          h('h3', { id: 'checkin-title' }, t('meeting.you')),
          h('button', { id: 'check-in', type: 'button', onclick: checkIn }, t('meeting.check_in')),
          h('p', { id: 'checked-in', class: 'hint', 'aria-live': 'polite' })),
        h('section', { 'aria-labelledby': 'attendance-title' },
          h('h3', { id: 'attendance-title' }, t('meeting.attendance')),
          h('div', { id: 'attendance' }),
          h('button', { type: 'button', class: 'quiet', onclick: attendance }, t('meeting.refresh'))),
        chair ? h('section', { 'aria-labelledby': 'close-title' },
          h('h3', { id: 'close-title' }, t('meeting.close_title')),
          h('p', { class: 'hint' }, t('meeting.close_hint')),
          h('button', { id: 'close-meeting', type: 'button', onclick: closeStep }, t('meeting.close'))) : null)));
  ctx.onEvent(async (e) => {
    if (!room || e.table !== undefined && room.ctx.table && e.table !== room.ctx.table) return;
    if (['situation.decided', 'situation.decision_corrected', 'situation.joined',
      'situation.assigned', 'situation.agency_added'].includes(e.kind)) {
      await refresh();
    }
  });
  await Promise.all([refresh(), attendance()]);
}

async function noMeeting(ctx, root, list) {
  room = null;
  root.append(h('p', { id: 'no-meeting' }, t('meeting.none')));
  const next = (list.upcoming || [])[0];
  if (next) root.append(h('p', {}, t('meeting.next', { when: next.localStart })));
  if (ctx.has('CHAIR')) {
    const open = async (unscheduled) => {
      const r = await call('OpenMeeting', { unscheduled });
      if (!r.ok && !unscheduled && r.status.code === 'FAILED_PRECONDITION') {
        say(t('meeting.not_scheduled_now'));
        return;
      }
      if (!r.ok) {
        sayRefusal(r.status);
        return;
      }
      await render(ctx);
    };
    root.append(h('div', { class: 'actions' },
      h('button', { id: 'open-meeting', type: 'button', onclick: () => open(false) }, t('meeting.open')),
      h('button', { id: 'open-extra', type: 'button', class: 'quiet', onclick: () => open(true) }, t('meeting.open_extra'))));
  } else {
    root.append(h('button', { type: 'button', onclick: () => render(ctx) }, t('meeting.refresh')));
  }
}

async function refresh() {
  if (!room) return;
  const got = await agendaItems(room.ref);
  if (!got || !room) return;
  room.items = got.items;
  const fit = got.agenda;
  document.getElementById('agenda-fit').textContent = t(fit.fits ? 'meeting.fits' : 'meeting.does_not_fit', {
    planned: Math.round((fit.plannedSeconds || 0) / 60), available: Math.round((fit.availableSeconds || 0) / 60),
  });
  if (room.chair) {
    // A decided item stays current for the chair (lead, undo) until "next".
    const kept = room.current && room.items.find((i) => i.situation === room.current);
    const next = room.items.find((i) => !i.outcome && !room.deferred.has(i.situation));
    if (!kept) setCurrent(next ? next.situation : null);
  } else {
    // Other devices follow the decisions: the first undecided item after the
    // last one decided (an item the chair deferred is passed over once the
    // table decides the next), else the first undecided one.
    const last = Math.max(0, ...room.items.filter((i) => i.outcome).map((i) => i.position));
    const next = room.items.find((i) => !i.outcome && i.position > last) || room.items.find((i) => !i.outcome);
    setCurrent(next ? next.situation : null);
  }
  await drawAgenda();
  await drawCurrent();
}

function setCurrent(id) {
  if (room.current === id) return;
  room.current = id;
  room.startedAt = Date.now();
}

/** A draw that started after this one wins: older ones drop their result. */
function drawing(kind) {
  room[kind] = (room[kind] || 0) + 1;
  const mine = room[kind];
  const r = room;
  return () => room === r && r[kind] === mine;
}

async function drawAgenda() {
  if (!document.getElementById('agenda')) return;
  const current = drawing('agendaDraw');
  const r = room;
  const lines = [];
  for (const i of r.items) {
    const type = await label('situation_type', i.situationType);
    const status = i.outcome ? t(`outcome.${i.outcome}`) : r.deferred.has(i.situation) ? t('meeting.deferred') : '';
    const text = [h('span', { class: 'agenda-id' }, i.situation), ' ',
      h('span', {}, `${type} · ${i.originatingAgency} · ${clock(i.timeBoxSeconds || 0)}`),
      i.late ? h('span', { class: 'tag' }, t('meeting.late')) : null,
      status ? h('span', { class: 'tag' }, status) : null];
    // The chair takes up any line by clicking it; others read the lines.
    const li = h('li', { class: `agenda-item ${i.outcome ? 'done' : ''}`, 'data-situation': i.situation },
      r.chair ? h('button', { type: 'button', class: 'agenda-line', title: t('meeting.take_up', { id: i.situation }), onclick: async () => {
        setCurrent(i.situation);
        await drawAgenda();
        await drawCurrent();
      } }, text) : text);
    if (i.situation === r.current) li.setAttribute('aria-current', 'step');
    lines.push(li);
  }
  const ol = document.getElementById('agenda');
  if (current() && ol) ol.replaceChildren(...lines);
}

/** "Person, 16-17, Male: Suicide risk; Alcohol abuse" from the de-identified record. */
async function summary(s) {
  const factors = [];
  for (const f of s.riskFactors || []) factors.push(await label('risk_factor', f));
  const who = [await label('situation_type', s.situationType)];
  if (s.ageBand) who.push(await label('age_band', s.ageBand));
  if (s.gender) who.push(await label('gender', s.gender));
  return `${who.join(', ')}${factors.length ? `: ${factors.join('; ')}` : ''}`;
}

async function drawCurrent() {
  const shownBox = document.getElementById('current');
  if (!shownBox || !room) return;
  const current = drawing('currentDraw');
  const r = room;
  // Built apart and put in place at once, unless a later draw started.
  const box = h('div', {});
  const item = room.items.find((i) => i.situation === room.current);
  if (!item) {
    clearInterval(room.timer);
    shownBox.replaceChildren(h('h3', { id: 'current-title' }, t('meeting.all_heard')));
    return;
  }
  const shown = await ask('ShowSituation', { id: item.situation });
  if (!shown || !current()) return;
  const s = shown.situation || {};
  const countdown = h('p', { class: 'countdown', role: 'timer', 'aria-label': t('meeting.time_left') });
  let timer = null;
  const tick = () => {
    if (!room || !countdown.isConnected && countdown.textContent) {
      clearInterval(timer);
      return;
    }
    const left = (item.timeBoxSeconds || 0) - (Date.now() - r.startedAt) / 1000;
    countdown.textContent = clock(left);
    countdown.classList.toggle('over', left < 0);
  };
  tick();
  box.append(
    h('h3', { id: 'current-title' }, t('meeting.item', { position: item.position, id: item.situation })),
    h('p', { class: 'summary', id: 'current-summary' }, await summary(s)),
    item.outcome ? h('p', { class: 'outcome' }, t(`outcome.${item.outcome}`)) : countdown);
  if (s.narrative && r.ctx.has('REP') || s.narrative && r.chair) {
    box.append(h('details', {}, h('summary', {}, t('meeting.narrative')), h('p', { class: 'narrative' }, s.narrative)));
  }
  if (r.chair && !item.outcome) box.append(await decideControls(item));
  if (r.chair && item.outcome === 'ACCEPTED') box.append(await acceptedPanel(s));
  if (!r.chair) box.append(await acceptedForReps());
  if (r.chair && item.outcome) {
    box.append(h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'undo', onclick: () => undo(item.situation) }, t('meeting.undo')),
      h('button', { type: 'button', id: 'next', onclick: next }, t('meeting.next_item'))));
  }
  if (!current()) return;
  clearInterval(room.timer);
  if (!item.outcome) timer = setInterval(tick, 1000);
  room.timer = timer;
  shownBox.replaceChildren(...box.childNodes);
}

async function decideControls(item) {
  const reasons = await vocabulary('rejection_reason');
  const reason = select(reasons, { blank: t('meeting.reason_pick') });
  reason.id = 'reject-reason';
  reason.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      document.getElementById('reject').click();
    }
  });
  return h('div', { class: 'decide' },
    h('button', { type: 'button', id: 'accept', class: 'primary', 'aria-keyshortcuts': 'a', onclick: () => decide(item, { accept: true }) }, t('meeting.accept')),
    h('div', { class: 'reject' },
      h('label', { for: 'reject-reason' }, t('meeting.reject_reason')), reason,
      h('button', { type: 'button', id: 'reject', 'aria-keyshortcuts': 'r', onclick: () => {
        if (!reason.value) {
          say(t('meeting.reason_needed'));
          reason.focus();
          return;
        }
        decide(item, { rejectReason: reason.value });
      } }, t('meeting.reject'))),
    h('button', { type: 'button', id: 'defer', class: 'quiet', 'aria-keyshortcuts': 'd', onclick: () => defer(item) }, t('meeting.defer')));
}

async function decide(item, verdict) {
  const r = await ask('DecideSituation', { id: item.situation, ...verdict });
  if (!r) return;
  say(t(verdict.accept ? 'meeting.accepted_say' : 'meeting.rejected_say', { id: item.situation }), 'notice');
  await refresh();
}

async function undo(id) {
  const r = await ask('DecideSituation', { id, correct: true, undecided: true });
  if (!r) return;
  say(t('meeting.undone', { id }), 'notice');
  room.startedAt = Date.now();
  await refresh();
}

async function defer(item) {
  room.deferred.add(item.situation);
  say(t('meeting.deferred_say', { id: item.situation }), 'notice');
  await next();
}

async function next() {
  const after = room.items.find((i) => !i.outcome && !room.deferred.has(i.situation) && i.situation !== room.current);
  setCurrent(after ? after.situation : null);
  await drawAgenda();
  await drawCurrent();
}

async function acceptedPanel(s) {
  const panel = h('section', { class: 'accepted', 'aria-labelledby': 'joined-title' },
    h('h4', { id: 'joined-title' }, t('meeting.joined')));
  const joined = s.joinedAgencies || [];
  panel.append(joined.length ? h('ul', { id: 'joined' }, joined.map((a) => h('li', {}, a))) : h('p', {}, t('meeting.none_joined')));
  if (s.leadAgency) {
    panel.append(h('p', { id: 'lead' }, t('meeting.lead_is', { agency: s.leadAgency })));
  } else if (room.chair && joined.length) {
    const r = await ask('AssignSituation', { id: s.id, suggestOnly: true });
    if (!room) return panel;
    const suggestions = (r && r.suggestions) || [];
    panel.append(h('h4', {}, t('meeting.suggested')), h('ol', { id: 'suggestions' }, suggestions.map((g) =>
      h('li', {},
        h('button', { type: 'button', class: 'primary', onclick: () => assign(s, g.agency, joined) }, t('meeting.make_lead', { agency: g.agency })),
        ' ', h('span', { class: 'hint' }, g.reason || '')))));
  }
  return panel;
}

/** Reps: the items accepted at this meeting, to join before the lead is named. */
async function acceptedForReps() {
  const accepted = room.items.filter((i) => i.outcome === 'ACCEPTED');
  const section = h('section', { 'aria-labelledby': 'accepted-title' },
    h('h4', { id: 'accepted-title' }, t('meeting.accepted_here')));
  if (!accepted.length) section.append(h('p', { class: 'hint' }, t('meeting.none_accepted')));
  const ul = h('ul', { id: 'accepted-items' });
  for (const i of accepted) {
    const shown = await ask('ShowSituation', { id: i.situation });
    if (!shown || !room) return section;
    const s = shown.situation || {};
    const joined = (s.joinedAgencies || []).includes(room.ctx.agency);
    const li = h('li', {}, h('a', { href: `#/situation/${encodeURIComponent(s.id)}` }, s.id), ' ', await summary(s), ' ');
    if (s.leadAgency) li.append(h('span', { class: 'tag' }, t('meeting.lead_is', { agency: s.leadAgency })));
    else if (joined) li.append(h('span', { class: 'tag' }, t('meeting.you_joined')));
    else if (room.ctx.has('REP')) {
      li.append(h('button', { type: 'button', class: 'join', 'data-situation': s.id, onclick: async () => {
        if (await ask('JoinSituation', { id: s.id })) {
          say(t('meeting.joined_say'), 'notice');
          await drawCurrent();
        }
      } }, t('meeting.join_item', { id: s.id })));
    }
    ul.append(li);
  }
  section.append(ul);
  return section;
}

async function assign(s, lead, joined) {
  const assisting = joined.filter((a) => a !== lead);
  const r = await ask('AssignSituation', { id: s.id, leadAgency: lead, assistingAgencies: assisting });
  if (!r) return;
  say(t('meeting.assigned_say', { agency: lead }), 'notice');
  await drawCurrent();
}

async function checkIn() {
  const r = await ask('CheckIn', { ref: room.ref });
  if (!r) return;
  document.getElementById('checked-in').textContent = t(r.alreadyCheckedIn ? 'meeting.already_in' : 'meeting.checked_in');
  await attendance();
}

async function attendance() {
  const box = document.getElementById('attendance');
  if (!box || !room) return;
  const a = await ask('Agenda', { ref: room.ref, afterPosition: 1 << 30, withAttendance: true });
  if (!a || !room) return;
  const att = a.attendance || {};
  const line = (x) => h('li', {}, `${x.agencyName || x.agency || t('meeting.no_agency')}${x.people ? ` (${x.people})` : ''}`);
  box.replaceChildren(
    h('p', {}, t(att.chairPresent ? 'meeting.chair_in' : 'meeting.chair_out')),
    h('h4', {}, t('meeting.present')), h('ul', { id: 'present' }, (att.present || []).map(line)),
    h('h4', {}, t('meeting.absent')), h('ul', { id: 'absent' }, (att.absent || []).map(line)));
}

let confirming = false;
async function closeStep() {
  const b = document.getElementById('close-meeting');
  if (!confirming) {
    confirming = true;
    b.textContent = t('meeting.close_confirm');
    return;
  }
  confirming = false;
  const r = await ask('CloseMeeting', { ref: room.ref });
  if (!r) return;
  say(t('meeting.closed_say', { decided: r.decided || 0, carried: r.carriedOver || 0, erased: r.rejectionsErased || 0 }), 'notice');
  room = null;
  const main = document.getElementById('main');
  main.querySelector('section').append(h('p', { id: 'meeting-closed' }, t('meeting.closed')));
}

document.addEventListener('keydown', (e) => {
  if (!room || !room.chair || !document.getElementById('meeting-room')) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const tag = (e.target.tagName || '').toLowerCase();
  if (['input', 'select', 'textarea'].includes(tag) && e.key !== 'Escape') return;
  const press = (id) => {
    const b = document.getElementById(id);
    if (b) {
      e.preventDefault();
      b.click();
    }
  };
  if (e.key === 'a') press('accept');
  else if (e.key === 'd') press('defer');
  else if (e.key === 'u') press('undo');
  else if (e.key === 'n') press('next');
  else if (e.key === 'r') {
    const s = document.getElementById('reject-reason');
    if (s) {
      e.preventDefault();
      s.focus();
    }
  }
});
