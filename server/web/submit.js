// Submitting a situation (Filter 1): labels, not codes; risk factors grouped
// by category; the narrative shows the scanner's findings in place as the rep
// types (a de-identification check on each pause) and counts the characters
// left; the attestation says what it means and is required.

import { call } from './api.js';
import { t } from './i18n.js';
import { checks, field, h, say, sayRefusal, screen, select, uid, vocabulary } from './ui.js';

const kMaxChars = 1000;  // server/domain/limits.h kNarrativeMaxChars
const kPauseMs = 700;

export async function render(ctx) {
  const [types, ages, genders, categories, factors, protective, flags] = await Promise.all(
    ['situation_type', 'age_band', 'gender', 'risk_category', 'risk_factor', 'protective_factor', 'study_flag']
      .map((k) => vocabulary(k)));
  if (!ctx.current()) return;
  const root = screen(t('submit.title'));
  const type = select(types, { blank: t('submit.pick'), required: true });
  const age = select(ages, { blank: t('submit.pick'), required: true });
  const gender = select(genders, { blank: t('submit.pick'), required: true });
  const groups = categories.map((c) => {
    const inCategory = factors.filter((f) => f.parent === c.code);
    const group = checks(c.label, inCategory);
    const details = h('details', { class: 'category' }, h('summary', {}, c.label), group.node);
    return { details, values: group.values };
  });
  const protectiveChecks = checks(t('submit.protective'), protective);
  const flagChecks = checks(t('submit.flags'), flags);
  const narrative = narrativeBox();
  const attest = h('input', { type: 'checkbox', id: uid('attest'), required: true });
  const form = h('form', { id: 'submit-form', novalidate: true },
    h('p', { class: 'hint' }, t('submit.intro')),
    h('div', { class: 'row' },
      field(t('submit.type'), type), field(t('submit.age'), age), field(t('submit.gender'), gender)),
    h('fieldset', { class: 'factors' }, h('legend', {}, t('submit.risk_factors')),
      h('p', { class: 'hint' }, t('submit.risk_hint')), groups.map((g) => g.details)),
    protectiveChecks.node,
    narrative.node,
    flagChecks.node,
    h('div', { class: 'check attest' }, attest, h('label', { for: attest.id }, t('submit.attest'))),
    h('button', { type: 'submit', class: 'primary' }, t('submit.submit')));
  root.append(form, h('div', { id: 'submitted', 'aria-live': 'polite' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const riskFactors = groups.flatMap((g) => g.values());
    const missing = [];
    if (!type.value) missing.push(t('submit.type'));
    if (!age.value) missing.push(t('submit.age'));
    if (!gender.value) missing.push(t('submit.gender'));
    if (!riskFactors.length) missing.push(t('submit.risk_factors'));
    if (!narrative.text().trim()) missing.push(t('submit.narrative'));
    if (!attest.checked) missing.push(t('submit.attest_short'));
    if (missing.length) {
      say(t('submit.missing', { fields: missing.join(', ') }));
      return;
    }
    const r = await call('SubmitSituation', {
      situationType: type.value, ageBand: age.value, gender: gender.value, riskFactors,
      protectiveFactors: protectiveChecks.values(), studyFlags: flagChecks.values(),
      narrative: narrative.text(), filter1Attested: true,
    });
    if (!r.ok) {
      sayRefusal(r.status);
      await narrative.check();
      return;
    }
    const s = r.body.situation || {};
    say('', 'notice');
    form.reset();
    narrative.clear();
    document.getElementById('submitted').replaceChildren(
      h('p', { id: 'submitted-id', class: 'notice' }, t('submit.done', { id: s.id, when: r.body.meetingLocalStart || '' })),
      h('a', { href: `#/situation/${encodeURIComponent(s.id)}` }, t('submit.open', { id: s.id })));
  });
}

/** The narrative box with its highlights, its counter and its findings list. */
function narrativeBox() {
  const id = uid('narrative');
  const area = h('textarea', { id, rows: '7', maxlength: String(kMaxChars * 2), spellcheck: 'true',
    'aria-describedby': `${id}-count ${id}-findings ${id}-hint` });
  const backdrop = h('div', { class: 'highlights', 'aria-hidden': 'true' });
  const counter = h('p', { id: `${id}-count`, class: 'counter' });
  const findings = h('p', { id: `${id}-findings`, class: 'findings', 'aria-live': 'polite' });
  let pause = null;
  let asked = 0;
  const chars = () => Array.from(area.value);
  const count = () => {
    const left = kMaxChars - chars().length;
    counter.textContent = t('submit.left', { n: left });
    counter.classList.toggle('over', left < 0);
  };
  const paint = (marks) => {
    const text = chars();
    backdrop.replaceChildren();
    let at = 0;
    for (const m of marks) {
      backdrop.append(text.slice(at, m.begin).join(''));
      backdrop.append(h('mark', { class: 'finding' }, text.slice(m.begin, m.end).join('')));
      at = m.end;
    }
    backdrop.append(`${text.slice(at).join('')}\n`);
  };
  const check = async () => {
    const text = area.value;
    asked += 1;
    const mine = asked;
    if (!text.trim()) {
      paint([]);
      findings.textContent = '';
      return;
    }
    const r = await call('DeidCheck', { text });
    if (mine !== asked || !r.ok) return;
    const found = (r.body.findings || []).map((f) => ({ ...f, begin: f.begin || 0, end: f.end || 0 }))
      .sort((a, b) => a.begin - b.begin);
    paint(found);
    findings.textContent = found.length
      ? t('submit.findings', { n: found.length, kinds: [...new Set(found.map((f) => t(`finding.${f.category}`)))].join(', ') })
      : t('submit.clean');
    findings.classList.toggle('bad', found.length > 0);
  };
  area.addEventListener('input', () => {
    count();
    paint([]);
    clearTimeout(pause);
    pause = setTimeout(check, kPauseMs);
  });
  area.addEventListener('scroll', () => {
    backdrop.scrollTop = area.scrollTop;
  });
  count();
  const node = h('div', { class: 'field' },
    h('label', { for: id }, t('submit.narrative')),
    h('p', { class: 'hint', id: `${id}-hint` }, t('submit.narrative_hint')),
    h('div', { class: 'narrative-box' }, backdrop, area), counter, findings);
  return {
    node, check, text: () => area.value,
    clear: () => {
      area.value = '';
      count();
      paint([]);
      findings.textContent = '';
    },
  };
}
