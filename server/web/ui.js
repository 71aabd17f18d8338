// Building the page: elements are made with h() and hold the server's data
// only as text (never parsed as HTML), which with the strict Content
// Security Policy leaves no place for injected markup or script.

import { call } from './api.js';
import { t, refusal } from './i18n.js';

/** h('p', {class: 'x'}, 'text', child, ...): an element. */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  add(e, children);
  return e;
}

function add(e, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** The message region: an error (role=alert) or a confirmation. */
export function say(text, kind = 'error') {
  const m = document.getElementById('message');
  m.textContent = text || '';
  m.className = `message ${kind}`;
}

export function sayRefusal(status) {
  say(refusal(status));
}

/** Calls a request; says the refusal when refused; resolves to the body or null. */
export async function ask(name, request) {
  const r = await call(name, request);
  if (!r.ok) {
    sayRefusal(r.status);
    return null;
  }
  return r.body;
}

let counter = 0;
/** A fresh id for label/field pairs. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled field: {label, input} with the label bound to the input. */
export function field(label, input, hint) {
  const id = input.id || uid('f');
  input.id = id;
  const parts = [h('label', { for: id }, label), input];
  if (hint) {
    const hintId = `${id}-hint`;
    input.setAttribute('aria-describedby', hintId);
    parts.splice(1, 0, h('p', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

/** A <select> over vocabulary entries (labels shown, codes sent). */
export function select(entries, { blank, required, name } = {}) {
  const s = h('select', { required, name });
  if (blank !== undefined) s.append(h('option', { value: '' }, blank));
  for (const e of entries) s.append(h('option', { value: e.code }, e.label || e.code));
  return s;
}

/** Checkboxes in a fieldset; returns {node, values()}. */
export function checks(legend, entries, checked = []) {
  const boxes = entries.map((e) => {
    const id = uid('c');
    const box = h('input', { type: 'checkbox', id, value: e.code, checked: checked.includes(e.code) });
    return { box, node: h('div', { class: 'check' }, box, h('label', { for: id }, e.label || e.code)) };
  });
  const node = h('fieldset', { class: 'checks' }, h('legend', {}, legend), boxes.map((b) => b.node));
  return { node, values: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
}

/** A table with a caption and a header row; `rows` are arrays of cells. */
export function table(caption, headings, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headings.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

/** A screen: a titled section that replaces what #main held. */
export function screen(title, ...children) {
  const main = document.getElementById('main');
  const heading = h('h2', { id: 'screen-title', tabindex: '-1' }, title);
  main.replaceChildren(h('section', { 'aria-labelledby': 'screen-title' }, heading, children));
  document.title = `${title} · hubtable`;
  heading.focus();
  return main.firstChild;
}

let vocabularies = null;
/** The entries of one vocabulary kind (every kind is read once, in one call). */
export async function vocabulary(kind) {
  if (!vocabularies) {
    vocabularies = call('ListVocabulary', {}).then((r) => {
      const byKind = new Map();
      for (const e of (r.ok && r.body.entries) || []) {
        if (!byKind.has(e.kind)) byKind.set(e.kind, []);
        byKind.get(e.kind).push(e);
      }
      return byKind;
    });
  }
  return (await vocabularies).get(kind) || [];
}

/** The label of `code` in `kind` (the code itself when unknown). */
export async function label(kind, code) {
  const e = (await vocabulary(kind)).find((x) => x.code === code);
  return e ? e.label : code;
}

export function forgetVocabularies() {
  vocabularies = null;
}

export { t };
