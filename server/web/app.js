// hubtable in the browser: a thin client over the same requests as the
// command line. This module logs in, builds the navigation for the user's
// roles, routes between the screens (#/work, #/meeting, #/submit,
// #/situation/ID, #/privacy, #/reports), follows the event stream and locks
// the page when the session's idle time runs out.

import { call, follow, on } from './api.js';
import * as i18n from './i18n.js';
import { h, say, sayRefusal, t, forgetVocabularies } from './ui.js';
import * as meeting from './meeting.js';
import * as submit from './submit.js';
import * as work from './work.js';
import * as privacy from './privacy.js';
import * as reports from './reports.js';

const $ = (id) => document.getElementById(id);

/** What the screens know about the user, set at login. */
const ctx = {
  who: null,
  roles: new Set(),
  has(role) {
    return this.roles.has(role);
  },
  listener: null,
};

/** The screen asked for last. A screen that waits for an answer before it
 * draws (a situation, the submission form) may still be waiting when the
 * user has moved on: it then neither draws over the newer screen nor takes
 * its events. A screen drawn again (after an action, on a live event) is
 * drawn by its latest request only: an earlier one still waiting for its
 * answer, which may be older than the action, does not draw over it. */
let asked = 0;
function view() {
  const mine = ++asked;
  let draws = 0;
  return Object.assign(Object.create(ctx), {
    current: () => mine === asked,
    /** Starts a drawing; returns whether it is still the one to draw. */
    drawing() {
      const n = ++draws;
      return () => mine === asked && n === draws;
    },
    /** The shown screen hears events (one listener: a screen that draws
     * itself again replaces its own; a new route clears it). */
    onEvent(fn) {
      if (mine === asked) ctx.listener = fn;
    },
  });
}

let stopEvents = null;
let idleTimer = null;
let idleSpanMs = 0;

const routes = [
  { path: 'work', title: 'nav.work', show: () => true, render: work.list },
  { path: 'meeting', title: 'nav.meeting', show: (c) => !c.has('ADMIN'), render: meeting.render },
  { path: 'submit', title: 'nav.submit', show: (c) => c.has('REP'), render: submit.render },
  { path: 'privacy', title: 'nav.privacy', show: (c) => c.has('PRIVACY_OFFICER'), render: privacy.render },
  { path: 'reports', title: 'nav.reports', show: (c) => c.has('CHAIR') || c.has('PRIVACY_OFFICER'), render: reports.render },
];

function staticText() {
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  $('language').value = i18n.current();
}

function navigation() {
  const nav = $('nav');
  nav.replaceChildren();
  if (!ctx.who) return;
  const list = h('ul', {});
  for (const r of routes.filter((x) => x.show(ctx))) {
    list.append(h('li', {}, h('a', { href: `#/${r.path}`, id: `nav-${r.path}` }, t(r.title))));
  }
  nav.append(list);
  markCurrent();
}

function markCurrent() {
  const path = (location.hash.slice(2) || 'work').split('/')[0];
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.id === `nav-${path}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Screens still loading: the main region is busy (aria-busy) until none is,
 * and then names the address it shows (data-shown), so that an assistive
 * technology, or a test acting as a person would, waits for the screen
 * asked for to be drawn, not for the one before it. */
let loading = 0;

async function route() {
  if (!ctx.who) return;
  ctx.listener = null;
  say('');
  markCurrent();
  const [path, ...rest] = (location.hash.slice(2) || 'work').split('/');
  const r = routes.find((x) => x.path === path && x.show(ctx)) || routes[0];
  loading += 1;
  $('main').setAttribute('aria-busy', 'true');
  try {
    if (path === 'situation' && rest[0]) await work.situation(view(), decodeURIComponent(rest[0]));
    else await r.render(view(), rest);
  } finally {
    loading -= 1;
    if (!loading) {
      $('main').dataset.shown = location.hash;
      $('main').setAttribute('aria-busy', 'false');
    }
  }
}

function showLogin(message) {
  ctx.who = null;
  ctx.roles.clear();
  ctx.listener = null;
  clearTimeout(idleTimer);
  if (stopEvents) stopEvents();
  stopEvents = null;
  forgetVocabularies();
  $('who').textContent = '';
  $('logout').hidden = true;
  navigation();
  const main = $('main');
  const form = $('login-template').content.cloneNode(true);
  main.replaceChildren(form);
  staticText();
  $('login-form').addEventListener('submit', login);
  document.title = 'hubtable';
  say(message || '', 'notice');
  $('username').focus();
}

async function login(event) {
  event.preventDefault();
  say('');
  const request = { username: $('username').value, password: $('password').value };
  if ($('totp').value) request.totpCode = $('totp').value;
  if ($('new-password').value) request.newPassword = $('new-password').value;
  const r = await call('Login', request);
  if (r.status.rule === 'auth.totp_required') {
    $('totp-field').hidden = false;
    $('totp').required = true;
    $('totp').focus();
    say(t('login.totp'), 'notice');
    return;
  }
  if (r.status.rule === 'auth.password_change_required') {
    $('new-password-field').hidden = false;
    $('new-password').required = true;
    $('new-password').focus();
    say(t('login.new_password'), 'notice');
    return;
  }
  if (!r.ok) {
    sayRefusal(r.status);
    return;
  }
  await enter();
}

/** Shows the user's page; `known` is a WhoAmI answer already in hand. */
async function enter(known) {
  const r = known || (await call('WhoAmI'));
  if (!r.ok) {
    showLogin();
    return;
  }
  const who = r.body;
  ctx.who = who;
  ctx.roles = new Set((who.roles || []).map((g) => g.role));
  ctx.agency = who.agency || '';
  const grant = (who.roles || []).find((g) => g.table) || {};
  ctx.table = grant.table || '';
  ctx.where = who.agencyName || grant.tableName || t('who.no_agency');
  i18n.setZone(who.timeZone);
  // A duration, not the server's clock: the device's clock may be wrong.
  idleSpanMs = Number(who.sessionIdleSeconds || 0) * 1000;
  armIdle();
  $('who').textContent = t('who', { name: who.displayName || who.username, agency: ctx.where });
  $('logout').hidden = false;
  navigation();
  stopEvents = follow((e) => {
    if (ctx.listener) ctx.listener(e);
  });
  await route();
}

function armIdle() {
  clearTimeout(idleTimer);
  if (!idleSpanMs || !ctx.who) return;
  const minutes = Math.max(1, Math.round(idleSpanMs / 60000));
  idleTimer = setTimeout(() => lock(t('lock.idle', { minutes })), idleSpanMs);
}

/** Takes every case detail off the page and asks for a new login. */
function lock(message) {
  showLogin(message);
}

async function logout() {
  await call('Logout');
  showLogin(t('logout.done'));
}

async function boot() {
  await i18n.start();
  staticText();
  $('language').addEventListener('change', async (e) => {
    await i18n.choose(e.target.value);
    staticText();
    if (ctx.who) {
      forgetVocabularies();
      $('who').textContent = t('who', { name: ctx.who.displayName || ctx.who.username, agency: ctx.where });
      navigation();
      await route();
    } else {
      showLogin();
    }
  });
  $('logout').addEventListener('click', logout);
  on('locked', (status) => {
    if (ctx.who) lock(t('lock.ended', { why: i18n.refusal(status) }));
  });
  on('activity', armIdle);
  window.addEventListener('hashchange', route);
  const r = await call('WhoAmI');
  if (r.ok) await enter(r);
  else showLogin();
}

boot();
