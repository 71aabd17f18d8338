// Reports: the table's summary for the months chosen, in the page, with small
// counts suppressed as the server marks them (the same figures as the
// command line's HTML report).

import { when } from './api.js';
import { dateTime, monthStart, number, t } from './i18n.js';
import { ask, field, h, screen, table } from './ui.js';

function thisMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function nextMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function shown(count, suppressed) {
  if (suppressed === 'SMALL') return '<5';
  if (suppressed === 'COMPLEMENTARY') return 'x';
  return number(count);
}

export async function render() {
  const root = screen(t('reports.title'));
  const from = h('input', { type: 'month', id: 'report-from', value: thisMonth(), required: true });
  const to = h('input', { type: 'month', id: 'report-to', value: thisMonth(), required: true });
  const out = h('div', { id: 'report', class: 'report' });
  const form = h('form', { id: 'report-form', class: 'grid-form' },
    field(t('reports.from'), from), field(t('reports.to'), to),
    h('button', { type: 'submit', class: 'primary' }, t('reports.show')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.replaceChildren(await summary(from.value, to.value));
  });
  root.append(form, out);
  out.replaceChildren(await summary(from.value, to.value));
}

async function summary(fromMonth, toMonth) {
  const scope = { fromUs: String(monthStart(fromMonth) * 1000), toUs: String(monthStart(nextMonth(toMonth)) * 1000), format: 'html' };
  const r = await ask('ReportSummary', { scope });
  if (!r) return h('p', {}, '');
  const s = r.summary || {};
  const parts = [h('p', { class: 'hint' }, t('reports.period', {
    from: dateTime(when(s.fromUs)), to: dateTime(when(s.toUs)), tables: (s.tables || []).join(', '),
  }))];
  for (const b of s.breakdowns || []) {
    parts.push(table(`${b.title} (${b.baseLabel || ''} ${shown(b.base, b.baseSuppressed)})`, [t('reports.line'), t('reports.count')],
      (b.rows || []).map((row) => [row.label || row.code, shown(row.count, row.suppressed)])));
  }
  const timing = s.timing || {};
  parts.push(h('h3', {}, t('reports.timing')), h('p', {}, timing.suppressed ? t('reports.timing_withheld')
    : t('reports.timing_is', { n: number(timing.intervened), median: number(Math.round((timing.medianHours || 0) * 10) / 10), p90: number(Math.round((timing.p90Hours || 0) * 10) / 10) })));
  if ((s.months || []).length) {
    parts.push(table(t('reports.months'), [t('reports.month'), t('reports.submitted'), t('reports.accepted')],
      s.months.map((m) => [m.month, shown(m.submitted, m.submittedSuppressed), shown(m.accepted, m.acceptedSuppressed)])));
  }
  if ((s.agencies || []).length) {
    parts.push(table(t('reports.agencies'), [t('reports.agency'), t('reports.attended'), t('reports.leads'), t('reports.assisting'), t('reports.late_acks')],
      s.agencies.map((a) => [a.name || a.agency, `${a.meetingsAttended || 0}/${a.meetingsHeld || 0}`, number(a.leads), number(a.assisting), number(a.overdueAcks)])));
  }
  parts.push(h('p', { class: 'hint' }, t('reports.legend')));
  return h('div', {}, parts);
}
