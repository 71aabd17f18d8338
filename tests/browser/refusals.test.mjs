// What the browser's side of the one port refuses, driven from Debian's
// chromium against a real hubtabled: no certificate, another CA's
// certificate, a session cookie replayed from another device's certificate,
// a cross-site form POST, a call without the CSRF header, an oversize body;
// and a guest, the administrator and another table's rep reaching no
// screen's case data through the API. Each refusal is checked in what the
// server recorded: nothing changed, and the audit log holds the refusal.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Deployment, until } from './lib/deployment.mjs';
import { Person } from './lib/person.mjs';
import { checkPolicy, launch, nssHome } from './lib/browser.mjs';
import { tableToml } from './lib/table.mjs';
import { foreignP12 } from './lib/other_ca.mjs';

const kCanary = 'Ysolde Canaryfield';

describe('what the browser side refuses', { concurrency: false }, () => {
  let d;
  const people = {};
  let id = '';
  const count = async () => ((await people['rep.rps.tremblay'].api('ListSituations', {})).body.situations || []).length;

  before(async () => {
    checkPolicy();
    d = new Deployment(tableToml());
    await d.start();
    for (const user of ['chair.morgan', 'rep.rps.tremblay', 'privacy.lee', 'guest.ahmed', 'admin.patel', 'rep.lps.ortiz']) {
      people[user] = await new Person(d, user).open();
      await people[user].login();
    }
    // One accepted, identified situation: case data worth reaching for.
    const rep = people['rep.rps.tremblay'];
    const submitted = await rep.api('SubmitSituation', {
      situationType: 'PERSON', ageBand: '16-17', gender: 'M', riskFactors: ['SUI-RISK'], filter1Attested: true,
      narrative: 'A teenager has talked about ending his life and stopped going to school.',
    });
    id = submitted.body.situation.id;
    const chair = people['chair.morgan'];
    for (const [who, name, body] of [[chair, 'OpenMeeting', { unscheduled: true }], [rep, 'CheckIn', { ref: {} }],
      [chair, 'DecideSituation', { id, accept: true }]]) {
      const r = await who.api(name, body);
      assert.equal(r.status.code || 'OK', 'OK', `${name}: ${r.status.message}`);
    }
    const identified = await rep.api('IdentifySituation', {
      id, people: [{ name: kCanary, dateOfBirth: '2009-03-14', address: '41 Birch Crescent' }], legalAuthority: 'ON-MFIPPA-32-H',
    });
    assert.equal(identified.status.code || 'OK', 'OK', identified.status.message);
  });

  after(async () => {
    for (const p of Object.values(people)) await p.close();
    if (d) await d.close();
  });

  const refusedToLoad = async (home) => {
    const { browser, page } = await launch(home);
    try {
      await assert.rejects(page.goto(`${d.origin}/`, { timeout: 15000 }), /net::ERR_/);
    } finally {
      await browser.close();
    }
  };

  it('a browser without a certificate gets no page', async () => {
    await refusedToLoad(nssHome({ ca: path.join(d.profile('chair.morgan'), 'ca.crt') }));
  });

  it('a certificate from another CA gets no page', async () => {
    await refusedToLoad(nssHome({ ...foreignP12(), ca: path.join(d.profile('chair.morgan'), 'ca.crt') }));
  });

  it('a session cookie replayed from another certificate is refused and recorded', async () => {
    const cookies = await people['chair.morgan'].page.cookies();
    const session = cookies.find((c) => c.name === '__Host-hubtable');
    assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Strict');
    const thief = await new Person(d, 'rep.rdsb.martin').open();
    try {
      await thief.goto();
      // The page's own first call (unauthenticated) is answered first: its
      // answer clears the session cookie, which must not race the replay.
      await thief.page.waitForSelector('#login-form');
      await thief.page.setCookie(session);
      const r = await thief.api('WhoAmI');
      assert.equal(r.http, 401);
      assert.equal(r.status.rule, 'session.certificate_mismatch');
      const shown = await thief.api('ShowSituation', { id });
      assert.equal(shown.http, 401);
      assert.equal(shown.body.situation, undefined);
    } finally {
      await thief.close();
    }
    const denied = await people['privacy.lee'].api('AuditQuery', { outcome: 'AUDIT_DENIED' });
    assert.ok(denied.body.events.some((e) => e.rule === 'session.certificate_mismatch'), 'the replay is in the audit log');
  });

  it('a cross-site form POST, a call without the CSRF header and an oversize body change nothing', async () => {
    const rep = people['rep.rps.tremblay'];
    const before = await count();
    const submit = { situationType: 'PERSON', ageBand: '16-17', gender: 'M', riskFactors: ['SUI-RISK'], narrative: 'A teenager at risk.', filter1Attested: true };
    // The form lives on another site (a data: page), as a CSRF attack would.
    const page = await rep.browser.newPage();
    await page.goto(`data:text/html,<form method=post action="${d.origin}/api/v1/SubmitSituationRequest" enctype="text/plain"><input name='{"a":"' value='"}'><button>go</button></form>`);
    const [answer] = await Promise.all([page.waitForNavigation(), page.click('button')]);
    assert.equal(answer.status(), 403);
    assert.match(await answer.text(), /http\.cross_site/);
    await page.close();
    const noHeader = await rep.page.evaluate(async (body) => {
      const r = await fetch('/api/v1/SubmitSituationRequest', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, json: await r.json() };
    }, submit);
    assert.equal(noHeader.status, 403);
    assert.equal(noHeader.json.status.rule, 'http.csrf_header_missing');
    const oversize = await rep.page.evaluate(async (body) => {
      const big = { ...body, narrative: 'x'.repeat(2 * 1024 * 1024) };
      const r = await fetch('/api/v1/SubmitSituationRequest', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hubtable-CSRF': '1' }, body: JSON.stringify(big),
      });
      return { status: r.status, json: await r.json().catch(() => ({})) };
    }, submit);
    assert.equal(oversize.status, 413);
    assert.equal(await count(), before, 'nothing was stored');
    // The refusals are counted in the audit log when the connections end.
    await rep.close();
    delete people['rep.rps.tremblay'];
    const po = people['privacy.lee'];
    const rules = async () => {
      const r = await po.api('AuditQuery', { action: 'request.rejected' });
      return new Set((r.body.events || []).flatMap((e) => (e.rejected || []).map((x) => x.rule)));
    };
    await until('the refusals to be audited', async () => {
      const seen = await rules();
      return ['http.cross_site', 'http.csrf_header_missing', 'protocol.frame_too_large'].every((x) => seen.has(x));
    });
  });

  it('a guest, the administrator and another table\'s rep reach no case data through any screen\'s calls', async () => {
    const calls = [
      ['ShowSituation', { id }], ['ListSituations', {}], ['RevealSituation', { id }], ['PlanSituation', { id }],
      ['AuditDisclosures', { situation: id }], ['AuditQuery', { situation: id }], ['ReportSummary', { scope: {} }],
      ['Tasks', {}], ['AuditAlerts', {}],
    ];
    for (const user of ['guest.ahmed', 'admin.patel', 'rep.lps.ortiz']) {
      const p = people[user];
      for (const [name, body] of calls) {
        const r = await p.api(name, body);
        const text = JSON.stringify(r.body);
        assert.ok(!text.includes(kCanary), `${user} ${name} reveals no identifier`);
        assert.ok(!text.includes('ending his life'), `${user} ${name} shows no narrative`);
        if (['RevealSituation', 'PlanSituation', 'AuditDisclosures', 'ReportSummary'].includes(name)) {
          assert.notEqual(r.status.code || 'OK', 'OK', `${user} ${name} is refused`);
        }
      }
      // The screens show what the calls allow: the situation's page holds no narrative.
      await p.goto(`#/situation/${id}`);
      await p.page.waitForSelector('#screen-title');
      await p.page.waitForFunction(() => document.getElementById('message').textContent || document.querySelector('dl.record'));
      assert.doesNotMatch(await p.page.content(), /ending his life|Canaryfield/);
      const nav = await p.page.$$eval('#nav a', (a) => a.map((x) => x.getAttribute('href')));
      assert.ok(!nav.includes('#/privacy'), `${user} has no privacy screen`);
    }
    const guestView = await people['guest.ahmed'].api('ShowSituation', { id });
    assert.equal(guestView.body.situation.view, 'AGENDA_LINE');
    const denied = await people['privacy.lee'].api('AuditQuery', { outcome: 'AUDIT_DENIED', limit: 1000 });
    const who = new Set(denied.body.events.map((e) => (e.actor || {}).username));
    for (const user of ['guest.ahmed', 'admin.patel', 'rep.lps.ortiz']) assert.ok(who.has(user), `${user}'s refusals are audited`);
  });
});

// A deployment of its own with these limits, and a rep logged in to it
// (`.rep` once the suite's `before` has run).
function repWith(limits) {
  const held = {};
  before(async () => {
    checkPolicy();
    held.d = new Deployment(tableToml(), limits);
    await held.d.start();
    held.rep = await new Person(held.d, 'rep.rps.tremblay').open();
    await held.rep.login();
  });
  after(async () => {
    if (held.rep) await held.rep.close();
    if (held.d) await held.d.close();
  });
  return held;
}

describe('the page locks after the session\'s idle time', { concurrency: false }, () => {
  const held = repWith({ session_idle_timeout_ms: 4000 });

  it('locks by itself, says so, keeps nothing typed, and the server agrees', async () => {
    const { rep } = held;
    await rep.goto('#/submit');
    await rep.page.waitForSelector('#submit-form');
    await rep.page.type('#submit-form textarea', 'A draft about a teenager at risk.');
    // No request for the session's idle time: the page locks itself.
    await rep.page.waitForSelector('#login-form', { timeout: 20000 });
    assert.match(await rep.text('#message'), /locked itself/);
    assert.doesNotMatch(await rep.page.content(), /teenager at risk/);
    const r = await rep.api('WhoAmI');
    assert.equal(r.http, 401, 'the server ended the session too');
  });
});

describe('the page waits out the request rate', { concurrency: false }, () => {
  // A burst that loads the page's files; four calls a second after it.
  const held = repWith({ requests_per_second: 4, request_burst: 20 });

  it('a refusal names its wait, and the page\'s calls wait it out and all succeed', async () => {
    const { rep } = held;
    // Raw calls, faster than the rate: refused with when to come back.
    const raw = await rep.page.evaluate(async () => {
      const answers = [];
      for (let i = 0; i < 30; i += 1) {
        const r = await fetch('/api/v1/WhoAmIRequest', {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hubtable-CSRF': '1' }, body: '{}',
        });
        answers.push({ http: r.status, retryAfter: r.headers.get('Retry-After'), status: (await r.json()).status || {} });
      }
      return answers;
    });
    const refused = raw.filter((a) => a.http === 429);
    assert.ok(refused.length > 0, 'thirty calls in a row exceed the burst and four a second');
    for (const a of refused) {
      assert.equal(a.status.rule, 'limits.request_rate');
      assert.equal(a.retryAfter, '1');
      assert.ok(a.status.retryAfterMs >= 1 && a.status.retryAfterMs <= 250, JSON.stringify(a.status));
    }
    // The app's own calls (api.js), one after another on the drained
    // connection: each waits its turn, and every one is answered.
    const answered = await rep.page.evaluate(async () => {
      const { call } = await import('/api.js');
      const codes = [];
      for (let i = 0; i < 8; i += 1) codes.push((await call('WhoAmI')).status.code);
      return codes;
    });
    assert.deepEqual(answered, Array(8).fill('OK'));
  });
});
