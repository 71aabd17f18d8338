// English and French: one catalogue per language (i18n-en.json,
// i18n-fr.json), chosen by the user and remembered on this device. Dates are
// shown in the table's time zone, in the language's conventions.

const languages = ['en', 'fr'];
let strings = {};
let fallback = {};
let language = 'en';
let zone = 'UTC';

async function load(lang) {
  const answer = await fetch(`/i18n-${lang}.json`, { credentials: 'same-origin' });
  return answer.json();
}

/** Loads the catalogue the user chose (or the browser's language). */
export async function start() {
  const saved = localStorage.getItem('hubtable.language');
  const wanted = saved || (navigator.language || 'en').slice(0, 2);
  language = languages.includes(wanted) ? wanted : 'en';
  fallback = await load('en');
  strings = language === 'en' ? fallback : await load(language);
  document.documentElement.lang = language;
}

export async function choose(lang) {
  localStorage.setItem('hubtable.language', lang);
  await start();
}

export function current() {
  return language;
}

export function setZone(name) {
  if (name) zone = name;
}

export function tableZone() {
  return zone;
}

/** The text of `key`, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = strings[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** The server's refusal in the user's language when the catalogue knows its rule. */
export function refusal(status) {
  const key = `rule.${status.rule}`;
  if (status.rule && (strings[key] || fallback[key])) return t(key);
  return status.message || t('error.unknown', { code: status.code || '' });
}

/** A date and time in the table's zone, e.g. "Thu 3 Dec 2026, 16:30". */
export function dateTime(date, seconds = false) {
  if (!date) return '';
  return new Intl.DateTimeFormat(language === 'fr' ? 'fr-CA' : 'en-CA', {
    timeZone: zone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: seconds ? '2-digit' : undefined,
    hourCycle: 'h23',
  }).format(date);
}

export function number(n) {
  return new Intl.NumberFormat(language === 'fr' ? 'fr-CA' : 'en-CA').format(Number(n || 0));
}

/** "mm:ss" for a count of seconds (negative: over time). */
export function clock(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const text = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return seconds < 0 ? `-${text}` : text;
}

/**
 * The UTC instant (epoch milliseconds) of local midnight on year `y`, month
 * `m` (1-12), day `d` in the table's zone (an offset is found, then checked
 * once more across a change of offset).
 */
export function midnight(y, m, d) {
  const guess = Date.UTC(y, m - 1, d);
  const offset = (at) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    }).formatToParts(new Date(at));
    const v = Object.fromEntries(parts.map((p) => [p.type, Number(p.value)]));
    return Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - at;
  };
  let at = guess - offset(guess);
  at = guess - offset(at);
  return at;
}

/** Local midnight on the first of `month` ("2026-12") in the table's zone. */
export function monthStart(month) {
  const [y, m] = month.split('-').map(Number);
  return midnight(y, m, 1);
}
