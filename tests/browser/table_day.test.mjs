// A whole table day in Debian's chromium against a real hubtabled: a rep
// submits (the scanner refuses the first narrative, the corrected one goes
// in), the chair runs an 8-situation meeting from the shared screen (accept,
// reject, an undo, a deferral, the lead named from the ranked suggestions),
// reps check in and join from their own browsers, the originating agency
// identifies and a joined agency reveals, the lead acknowledges from a phone,
// and the privacy officer reads the register, queries the log and catches a
// rolled-back server with the checkpoint the browser saved. Every step checks
// what the server recorded, not only what the page shows; every screen is
// checked with axe-core in English and French and photographed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Deployment, until } from './lib/deployment.mjs';
import { Person } from './lib/person.mjs';
import { checkPolicy, phone, desktop } from './lib/browser.mjs';
import { tableToml } from './lib/table.mjs';
import { axeViolations, screenshot, shots } from './lib/checks.mjs';

const kNarrativeCanary = 'Kanarikowski';
const kIdentifierCanary = 'Zebulon Canarywood';
const refused = `Liam ${kNarrativeCanary}, born 2009-03-14, lives at 41 Birch Crescent; his mother (306-555-0142) called us twice. He is 16, missing school, drinking heavily and has talked about ending his life.`;
const corrected = 'A 16-year-old has missed most of the term, is drinking heavily and has talked about ending his life. A parent called police twice last week.';

const others = [
  // [rep, type, age band, gender, risk factors, narrative]
  ['rep.rcmh.nguyen', 'PERSON', '40-59', 'M', ['MEN-SUSP', 'MEN-TREATMENT'], 'An adult has stopped taking his medication and was seen shouting at passers-by.'],
  ['rep.rps.tremblay', 'FAMILY', 'UNKNOWN', 'U', ['HOU-EVICTION', 'ALC-HOME'], 'A family of four faces eviction at the end of the month; a parent drinks heavily.'],
  ['rep.rcmh.nguyen', 'PERSON', '18-24', 'F', ['SUI-RISK', 'MEN-SUSP'], 'A young woman spoke of ending her life after losing her housing.'],
  ['rep.rps.tremblay', 'PERSON', '12-15', 'M', ['SCH-TRUANCY', 'PHV-VICTIM'], 'A boy has not been at school for three weeks and was assaulted near the park.'],
  ['rep.rcmh.nguyen', 'PERSON', '60+', 'F', ['HOU-EVICTION', 'MEN-SUSP'], 'An older woman hoards and faces eviction; neighbours report a fire risk.'],
  ['rep.rps.tremblay', 'PERSON', '30-39', 'M', ['ALC-ABUSE', 'PHV-VICTIM'], 'A man drinking heavily has been assaulted twice this month.'],
  ['rep.rcmh.nguyen', 'PERSON', '16-17', 'F', ['SUI-RISK', 'SCH-TRUANCY'], 'A teenager has stopped attending school and posted about self-harm.'],
];

/** The screens checked, as <screen>-<language>-<size>. */
const screens = [];
// A phone's width for a desktop browser's second look (without touch
// emulation, which would reload the page and lose what it shows).
const narrow = { width: phone.width, height: phone.height, deviceScaleFactor: 2 };

describe('a table day in the browser', { concurrency: false }, () => {
  let d;
  const people = {};
  const ids = [];  // the 8 situations, in agenda order
  const numbers = {};

  const person = async (user, options = {}) => {
    people[user] = await new Person(d, user, options).open();
    return people[user];
  };

  /** axe in the shown language, and a screenshot named for the screen. */
  const check = async (p, name) => {
    const lang = await p.page.evaluate(() => document.documentElement.lang);
    const onPhone = Boolean((p.options.viewport || desktop).isMobile);
    const sizes = onPhone ? [['phone', null]] : [['1280x800', null], ['phone', narrow]];
    for (const [size, viewport] of sizes) {
      if (viewport) await p.page.setViewport(viewport);
      await screenshot(p.page, `${name}-${lang}-${size}`);
      const violations = await axeViolations(p.page);
      assert.deepEqual(violations, [], `axe on ${name} (${lang}, ${size})`);
      screens.push(`${name}-${lang}-${size}`);
    }
    if (!onPhone) await p.page.setViewport(desktop);
  };

  before(async () => {
    checkPolicy();
    rmSync(shots, { recursive: true, force: true });
    d = new Deployment(tableToml());
    await d.start();
    // The same port across restarts: the privacy officer's saved checkpoint
    // lives in the browser's storage for this origin.
    const config = readFileSync(d.config, 'utf8').replace(/listen = '127\.0\.0\.1:0'/, `listen = '127.0.0.1:${d.port}'`);
    writeFileSync(d.config, config);
  });

  after(async () => {
    for (const p of Object.values(people)) await p.close();
    if (d) await d.close();
  });

  it('logs everyone in through the page (one-time password, new password, authenticator)', async () => {
    const chair = await person('chair.morgan');
    const opened = Date.now();
    await chair.login();
    numbers.loginMs = Date.now() - opened;
    for (const user of ['rep.rps.tremblay', 'rep.rcmh.nguyen', 'privacy.lee', 'guest.ahmed']) {
      await (await person(user)).login();
    }
    await (await person('rep.raas.cardinal', { viewport: phone })).login();
    const who = await chair.api('WhoAmI');
    assert.equal(who.body.username, 'chair.morgan');
    const logins = await people['privacy.lee'].api('AuditQuery', { action: 'auth.login', outcome: 'AUDIT_OK' });
    const users = new Set(logins.body.events.map((e) => e.actor.username));
    for (const u of ['chair.morgan', 'rep.rps.tremblay', 'rep.rcmh.nguyen', 'privacy.lee', 'guest.ahmed', 'rep.raas.cardinal']) {
      assert.ok(users.has(u), `${u} logged in`);
    }
  });

  it('the privacy officer saves a checkpoint in the browser', async () => {
    const po = people['privacy.lee'];
    await po.goto('#/privacy');
    await po.click('#save-checkpoint');
    await po.waitText('#verify-result', /saved/i);
    const saved = await po.page.evaluate(() => JSON.parse(localStorage.getItem('hubtable.checkpoint')));
    assert.ok(Number(saved.riverside.treeSize) > 0);
    // A copy of the server as it is now, to roll back to at the end.
    await d.stop();
    d.snapshot('early');
    await d.start();
  });

  it('a rep submits: the scanner highlights and the server refuses, the corrected narrative goes in', async () => {
    const rep = people['rep.rps.tremblay'];
    await rep.goto('#/submit');
    await rep.page.waitForSelector('#submit-form');
    await check(rep, 'submit');
    const selects = await rep.page.$$('#submit-form .row select');
    await selects[0].select('PERSON');
    await selects[1].select('16-17');
    await selects[2].select('M');
    for (const code of ['SUI-RISK', 'ALC-ABUSE']) {
      await rep.page.$eval(`input[value="${code}"]`, (e) => e.closest('details').setAttribute('open', ''));
      await rep.click(`input[value="${code}"]`);
    }
    await rep.type('#submit-form textarea', refused);
    // The scanner's findings are highlighted in place after a pause.
    await rep.page.waitForSelector('.highlights mark', { timeout: 10000 });
    const marks = await rep.page.$$eval('.highlights mark', (m) => m.map((x) => x.textContent));
    assert.ok(marks.some((m) => m.includes(kNarrativeCanary)), `the name is highlighted: ${marks}`);
    assert.ok(marks.some((m) => m.includes('306-555-0142')), 'the phone number is highlighted');
    assert.match(await rep.text('.counter'), new RegExp(`${1000 - [...refused].length} characters left`));
    await screenshot(rep.page, 'submit-findings-en-1280x800');
    await rep.click('#submit-form input[required][type=checkbox]');
    await rep.click('#submit-form button[type=submit]');
    await rep.waitText('#message', /identif|scanner|de-identif/i);
    const mine = await rep.api('ListSituations', {});
    assert.equal((mine.body.situations || []).length, 0, 'the refused submission stored nothing');
    // Corrected: the highlights go, the submission is accepted.
    await rep.page.$eval('#submit-form textarea', (e) => { e.value = ''; });
    await rep.type('#submit-form textarea', corrected);
    await rep.waitText('.findings', /no identifiers/);
    await rep.click('#submit-form button[type=submit]');
    await rep.page.waitForSelector('#submitted-id');
    const id = /Submitted as (\S+)\./.exec(await rep.text('#submitted-id'))[1];
    ids.push(id);
    const shown = await rep.api('ShowSituation', { id });
    assert.equal(shown.body.situation.state, 'AWAITING_DECISION');
    assert.equal(shown.body.situation.narrative, corrected);
    assert.deepEqual(shown.body.situation.riskFactors.sort(), ['ALC-ABUSE', 'SUI-RISK']);
    const denied = await people['privacy.lee'].api('AuditQuery', { action: 'situation.submit', user: 'rep.rps.tremblay' });
    const outcomes = denied.body.events.map((e) => e.outcome || 'AUDIT_OUTCOME_UNSPECIFIED');
    assert.ok(outcomes.includes('AUDIT_DENIED') && outcomes.includes('AUDIT_OK'), `both submissions audited: ${outcomes}`);
  });

  it('seven more situations come in from two agencies', async () => {
    for (const [user, situationType, ageBand, gender, riskFactors, narrative] of others) {
      const r = await people[user].api('SubmitSituation', { situationType, ageBand, gender, riskFactors, narrative, filter1Attested: true });
      assert.equal(r.status.code || 'OK', 'OK', `${user}: ${r.status.message}`);
      ids.push(r.body.situation.id);
    }
    assert.equal(ids.length, 8);
  });

  it('the chair runs an 8-situation meeting from the shared screen; reps check in and join', async () => {
    const chair = people['chair.morgan'];
    chair.clicks = 0;
    chair.keys = 0;
    await chair.goto('#/meeting');
    await chair.click('#open-extra');
    const opened = Date.now();
    await chair.page.waitForSelector('#agenda li');
    const agenda = await chair.page.$$eval('#agenda li', (li) => li.map((x) => x.dataset.situation));
    assert.deepEqual(agenda, ids, 'the agenda holds the 8 situations, oldest first');
    // Time from opening the page (a new tab, logged in) to the agenda.
    const tab = await chair.browser.newPage();
    await tab.setViewport(desktop);
    const t0 = Date.now();
    await tab.goto(`${d.origin}/#/meeting`);
    await tab.waitForSelector('#agenda li');
    numbers.pageToAgendaMs = Date.now() - t0;
    // The chair's room in French, in that tab (then back to English: the
    // choice is kept for the whole browser).
    await tab.select('#language', 'fr');
    await tab.waitForFunction(() => document.getElementById('screen-title').textContent === 'Salle de réunion');
    await tab.waitForSelector('#agenda li');
    await check({ page: tab, options: {} }, 'meeting-room');
    await tab.select('#language', 'en');
    await tab.waitForFunction(() => document.getElementById('screen-title').textContent === 'Meeting room');
    await tab.close();
    await chair.click('#check-in');
    await chair.waitText('#checked-in', /checked in/);
    numbers.openToAgendaMs = t0 - opened;
    await check(chair, 'meeting-room');

    for (const user of ['rep.rps.tremblay', 'rep.rcmh.nguyen', 'rep.raas.cardinal', 'guest.ahmed']) {
      const p = people[user];
      await p.goto('#/meeting');
      await p.click('#check-in');
      await p.waitText('#checked-in', /checked in/);
    }
    await check(people['rep.raas.cardinal'], 'meeting-room');
    const room = await chair.api('Agenda', { ref: {}, withAttendance: true });
    const present = room.body.attendance.present.map((a) => a.agency).filter(Boolean).sort();
    assert.equal(room.body.attendance.chairPresent, true, 'the chair checked in');
    assert.deepEqual(present, ['raas', 'rcmh', 'rps']);
    await chair.click('#attendance + button');
    await chair.waitText('#present', /Addiction/);
    assert.match(await chair.text('#absent'), /School Board/);

    const current = () => chair.page.$eval('#current-title', (e) => e.textContent);
    /** Accepted: the addictions rep joins from the room (a phone); the chair names the first suggestion. */
    const joinAndAssign = async (id) => {
      const rep = people['rep.raas.cardinal'];
      await rep.page.waitForSelector(`button.join[data-situation="${id}"]`, { visible: true });
      await rep.click(`button.join[data-situation="${id}"]`);
      await until('the chair to see the join', async () => (await chair.page.$$eval('#joined li', (li) => li.map((x) => x.textContent)).catch(() => [])).includes('raas'));
      await chair.click('#suggestions li:first-child button');
      await chair.page.waitForSelector('#lead');
      const s = (await chair.api('ShowSituation', { id })).body.situation;
      assert.ok(s.leadAgency, `${id} has a lead`);
    };
    // 1: accepted; three agencies join from their own screens; the chair
    // names the lead from the ranked suggestions, in one click.
    await chair.waitText('#current-title', new RegExp(ids[0]));
    await chair.press('a');
    await until('item 1 accepted', async () => (await chair.api('ShowSituation', { id: ids[0] })).body.situation.state === 'ACCEPTED');
    for (const user of ['rep.rcmh.nguyen', 'rep.raas.cardinal']) {
      const p = people[user];
      await p.page.waitForSelector(`button.join[data-situation="${ids[0]}"]`, { visible: true });
      await p.click(`button.join[data-situation="${ids[0]}"]`);
    }
    await until('the chair to see both agencies joined', async () => {
      const joined = await chair.page.$$eval('#joined li', (li) => li.map((x) => x.textContent)).catch(() => []);
      return joined.includes('rcmh') && joined.includes('raas');
    });
    await chair.page.waitForSelector('#suggestions button');
    const suggestions = await chair.page.$$eval('#suggestions button', (b) => b.map((x) => x.textContent));
    const raas = suggestions.findIndex((s) => s.includes('raas'));
    assert.ok(raas >= 0, `raas is among the suggestions: ${suggestions}`);
    await chair.click(`#suggestions li:nth-child(${raas + 1}) button`);
    await chair.page.waitForSelector('#lead');
    const assigned = (await chair.api('ShowSituation', { id: ids[0] })).body.situation;
    assert.equal(assigned.leadAgency, 'raas');
    assert.deepEqual([...assigned.assistingAgencies].sort(), ['rcmh', 'rps'].filter((a) => assigned.joinedAgencies.includes(a)).sort());
    await chair.press('n');

    // 2: rejected with a reason picked by keyboard, undone, then accepted.
    await chair.waitText('#current-title', new RegExp(ids[1]));
    await chair.press('r');
    await chair.press('ArrowDown');
    await chair.press('Enter');
    await chair.page.waitForSelector('#undo');
    assert.equal((await chair.api('ShowSituation', { id: ids[1] })).body.situation.state, 'REJECTED');
    await chair.press('u');
    await until('the undo', async () => (await chair.api('ShowSituation', { id: ids[1] })).body.situation.state === 'AWAITING_DECISION');
    await chair.page.waitForSelector('#accept');
    await chair.press('a');
    await chair.page.waitForSelector('#next');
    await joinAndAssign(ids[1]);
    await chair.press('n');

    // 3: deferred (carried over); 4-8: three rejected, two accepted.
    await chair.waitText('#current-title', new RegExp(ids[2]));
    await chair.press('d');
    const plan = { 3: 'reject', 4: 'accept', 5: 'reject', 6: 'accept', 7: 'reject' };
    for (const [i, verdict] of Object.entries(plan)) {
      await chair.waitText('#current-title', new RegExp(ids[i]));
      if (verdict === 'accept') {
        await chair.press('a');
        await chair.page.waitForSelector('#next');
        await joinAndAssign(ids[i]);
      } else {
        await chair.press('r');
        await chair.press('ArrowDown');
        await chair.press('Enter');
      }
      await chair.page.waitForSelector('#next');
      await chair.press('n');
      if (i === '3') {
        // The reps' devices pass over the deferred item once the next is decided.
        await people['rep.rps.tremblay'].waitText('#current-title', new RegExp(ids[4]));
      }
    }
    assert.match(await current(), /Every item/);
    await chair.click('#close-meeting');
    await chair.click('#close-meeting');
    await chair.page.waitForSelector('#meeting-closed');
    numbers.meetingClicks = chair.clicks;
    numbers.meetingKeys = chair.keys;

    const state = async (i) => (await chair.api('ShowSituation', { id: ids[i] })).body.situation;
    assert.equal((await state(1)).state, 'ACCEPTED');
    assert.equal((await state(2)).state, 'AWAITING_DECISION', 'the deferred item is carried over');
    for (const i of [3, 5, 7]) {
      const s = await state(i);
      assert.equal(s.state, 'REJECTED');
      assert.equal(s.narrative || '', '', 'a rejection is erased when the meeting closes');
    }
    for (const i of [4, 6]) assert.equal((await state(i)).state, 'ACCEPTED');
    numbers.meetingAssigned = 0;
    for (const i of [0, 1, 4, 6]) numbers.meetingAssigned += (await state(i)).leadAgency ? 1 : 0;
    assert.equal(numbers.meetingAssigned, 4);
    const corrections = await people['privacy.lee'].api('AuditQuery', { situation: ids[1], action: 'situation.decide' });
    assert.ok(corrections.body.events.some((e) => e.purpose === 'decision.correction'), 'the undo is audited as a correction');
  });

  it('the originating agency identifies; a joined agency reveals, and the page says it is recorded', async () => {
    const rep = people['rep.rps.tremblay'];
    await rep.goto(`#/situation/${ids[0]}`);
    await rep.page.waitForSelector('#identify-form');
    await check(rep, 'situation');
    await rep.type('#id-name', kIdentifierCanary);
    await rep.page.$eval('#id-dob', (e) => { e.value = '2009-03-14'; });
    await rep.type('#id-address', '41 Birch Crescent, Riverside');
    const authority = await rep.page.$eval('#id-authority option:nth-child(2)', (o) => o.value);
    await rep.select('#id-authority', authority);
    await rep.click('#identify-form button[type=submit]');
    await rep.waitText('#message', /Identifiers recorded/);
    await rep.page.waitForSelector('#identify-form', { hidden: true });
    assert.equal((await rep.api('ShowSituation', { id: ids[0] })).body.situation.identified, true);

    const mh = people['rep.rcmh.nguyen'];
    await mh.goto(`#/situation/${ids[0]}`);
    await mh.page.waitForSelector('#do-reveal');
    assert.match(await mh.text('#reveal-warning'), /Casey Nguyen.*recorded/);
    await mh.click('#do-reveal');
    await mh.waitText('#revealed', new RegExp(kIdentifierCanary));
    await check(mh, 'reveal');
    await mh.click('#hide-reveal');
    assert.doesNotMatch(await mh.page.content(), new RegExp(kIdentifierCanary));
    const register = await people['privacy.lee'].api('AuditDisclosures', { situation: ids[0] });
    const who = register.body.disclosures.map((x) => `${x.action} ${x.recipient.username}`);
    assert.ok(who.includes('situation.reveal rep.rcmh.nguyen'), `the reveal is in the register: ${who}`);
  });

  it('the lead acknowledges from a phone', async () => {
    const lead = people['rep.raas.cardinal'];
    await lead.goto('#/work');
    await lead.page.waitForSelector(`#tasks a[href="#/situation/${ids[0]}"]`);
    await check(lead, 'my-work');
    await lead.click(`#tasks a[href="#/situation/${ids[0]}"]`);
    await lead.click('#do-ack');
    await lead.waitText('#message', /Acknowledged/);
    await check(lead, 'situation');
    const s = (await lead.api('ShowSituation', { id: ids[0] })).body.situation;
    assert.ok(Number(s.ackedUs) > 0, 'the server recorded the acknowledgement');
    const acks = await people['privacy.lee'].api('AuditQuery', { situation: ids[0], action: 'situation.ack' });
    assert.equal(acks.body.events[0].actor.username, 'rep.raas.cardinal');
  });

  it('the lead records the intervention, an update and the closure', async () => {
    const lead = people['rep.raas.cardinal'];
    await lead.goto(`#/situation/${ids[0]}`);
    await lead.page.waitForSelector('#intervene-form');
    // The time is filled with now; the lead keeps it.
    assert.match(await lead.page.$eval('#intervene-at', (e) => e.value), /^\d{4}-\d\d-\d\dT\d\d:\d\d/);
    await lead.select('#intervene-outcome', 'CONSENTED');
    await lead.click('#intervene-form button[type=submit]');
    await lead.page.waitForSelector('#intervene-form', { hidden: true });
    await until('the intervention', async () => Number((await lead.api('ShowSituation', { id: ids[0] })).body.situation.intervenedUs) > 0);
    await lead.type('#update-text', 'Connected with addiction services; family engaged.');
    await lead.click('form:has(#update-text) button');
    await until('the update', async () => ((await lead.api('ShowSituation', { id: ids[0] })).body.situation.updates || []).length === 1);
    assert.equal(await lead.page.$('#close-form'), null, 'the chair closes, not the lead');
    const chair = people['chair.morgan'];
    await chair.goto(`#/situation/${ids[0]}`);
    await chair.select('#close-reason', 'LOWERED_CONNECTED');
    await chair.click('#close-form button[type=submit]');
    await until('the closure', async () => (await lead.api('ShowSituation', { id: ids[0] })).body.situation.state === 'CLOSED');
    const s = (await lead.api('ShowSituation', { id: ids[0] })).body.situation;
    assert.equal(s.intervention.outcome, 'CONSENTED');
    assert.equal(s.closureReason, 'LOWERED_CONNECTED');
  });

  it('the privacy officer reads the register, a person\'s access and the log', async () => {
    const po = people['privacy.lee'];
    await po.goto('#/privacy');
    await po.page.waitForSelector('#register-form');
    await po.type('#register-input', ids[0]);
    await po.click('#register-form button');
    await po.waitText('#register-result', /rep\.rcmh\.nguyen/);
    await po.type('#access-input', 'rep.rcmh.nguyen');
    await po.click('#access-form button');
    await po.waitText('#access-result', /situation\.reveal/);
    const queryAction = await po.page.$$('#query-form input');
    await queryAction[3].type('situation.reveal');
    await po.click('#query-form button');
    await po.waitText('#query-result', /rep\.rcmh\.nguyen/);
    await check(po, 'privacy');
    await po.click('#verify-log');
    await po.waitText('#verify-result', /Passed/);
    await po.click('#save-checkpoint');
    await po.waitText('#verify-result', /saved/);
  });

  it('reports by month', async () => {
    const chair = people['chair.morgan'];
    await chair.goto('#/reports');
    await chair.page.waitForSelector('#report table');
    await check(chair, 'reports');
    const summary = await chair.api('ReportSummary', { scope: { format: 'html' } });
    assert.equal(summary.status.code || 'OK', 'OK', summary.status.message);
    const months = summary.body.summary.months.map((m) => m.month);
    assert.ok(months.length >= 1);
    assert.match(await chair.text('#report'), new RegExp(months[0]));
  });

  it('a screen still waiting for its answer when the user moves on draws nothing over the next', async () => {
    const rep = people['rep.rps.tremblay'];
    await rep.goto('#/work');
    await rep.page.waitForSelector('#tasks');
    // The situation's answer is held in the browser until My work is shown.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let asked;
    const asking = new Promise((resolve) => { asked = resolve; });
    const hold = async (r) => {
      if (r.url().endsWith('/api/v1/ShowSituationRequest')) {
        asked();
        await held;
      }
      await r.continue();
    };
    await rep.page.setRequestInterception(true);
    rep.page.on('request', hold);
    try {
      await rep.page.evaluate((id) => { location.hash = `#/situation/${id}`; }, ids[1]);
      await asking;
      await rep.click('#nav-work');
      await rep.page.waitForSelector('#tasks');
      const answered = rep.page.waitForResponse((r) => r.url().endsWith('/api/v1/ShowSituationRequest'));
      release();
      await answered;
      await rep.page.waitForSelector('#main[aria-busy="false"]');
    } finally {
      release();
      rep.page.off('request', hold);
      await rep.page.setRequestInterception(false);
    }
    assert.equal(await rep.page.$('#situation-page'), null, 'the situation did not draw over My work');
    assert.ok(await rep.page.$('#tasks'), 'My work is still shown');
    assert.match(rep.page.url(), /#\/work$/);
  });

  it('every screen passes axe in French too', async () => {
    const chair = people['chair.morgan'];
    await chair.goto('#/work');
    await chair.page.waitForSelector('#tasks');
    await check(chair, 'my-work');
    await chair.chooseLanguage('fr');
    await chair.waitText('#screen-title', /Mon travail/);
    for (const [hash, name, ready] of [['#/work', 'my-work', '#tasks'], ['#/meeting', 'meeting-room', '#no-meeting'],
      ['#/reports', 'reports', '#report table']]) {
      await chair.goto(hash);
      await chair.page.waitForSelector(ready);
      await check(chair, name);
    }
    const rep = people['rep.rps.tremblay'];
    await rep.chooseLanguage('fr');
    for (const [hash, name, ready] of [['#/submit', 'submit', '#submit-form'], [`#/situation/${ids[1]}`, 'situation', '#situation-page dl']]) {
      await rep.goto(hash);
      await rep.page.waitForSelector(ready);
      await check(rep, name);
    }
    const po = people['privacy.lee'];
    await po.chooseLanguage('fr');
    await po.goto('#/privacy');
    await po.page.waitForSelector('#verify-log');
    await check(po, 'privacy');
    const lead = people['rep.raas.cardinal'];
    await lead.chooseLanguage('fr');
    await lead.goto('#/work');
    await lead.page.waitForSelector('#screen-title');
    await check(lead, 'my-work');
    // The login screen, in both languages.
    const guest = people['guest.ahmed'];
    await guest.click('#logout');
    await guest.page.waitForSelector('#login-form');
    await check(guest, 'login');
    await guest.chooseLanguage('fr');
    await guest.waitText('#login-title', /Connexion/);
    await check(guest, 'login');
  });

  it('a server rolled back to an older copy fails the check, and raises an alert', async () => {
    await d.stop();
    d.restore('early');
    await d.start();
    const po = people['privacy.lee'];
    await po.goto('#/privacy');
    await po.page.waitForSelector('#verify-log');
    await po.click('#verify-log');
    await po.waitText('#verify-result', /(FAILED|ÉCHEC).*rolled back/);
    const alerts = await po.api('AuditAlerts', {});
    assert.ok(alerts.body.alerts.some((a) => a.event.action.includes('verification_failed')), 'the server raised the alert');
    await po.goto('#/privacy');
    await po.waitText('#alerts', /verification_failed/);
    await check(po, 'privacy-alert');
  });

  it('the audit key is rotated: the browser follows it from the key it pinned', async () => {
    const po = people['privacy.lee'];
    await po.chooseLanguage('en');
    await po.goto('#/privacy');
    await po.page.waitForSelector('#save-checkpoint');
    await po.click('#save-checkpoint');
    await po.waitText('#verify-result', /saved/i);
    const pinned = () => po.page.evaluate(() => JSON.parse(localStorage.getItem('hubtable.checkpoint')).riverside);
    const before = await pinned();
    await d.stop();
    execFileSync(d.hubtabled, ['rekey', '--audit-signing-key', '--config', d.config], { stdio: 'pipe' });
    await d.start();
    await po.goto('#/privacy');
    await po.page.waitForSelector('#verify-log');
    await po.click('#verify-log');
    await po.waitText('#verify-result', /Passed: .* The audit key was rotated at/);
    const after = await pinned();
    assert.notEqual(after.publicKey, before.publicKey, 'the browser now keeps the new key');
    assert.equal(after.treeSize, before.treeSize);
    // A second check from the new key passes as before, without a rotation to tell.
    await po.click('#verify-log');
    await po.waitText('#verify-result', /Passed: .*signed by the same key/);
  });

  it('no canary reaches a log, an audit event or a header, and no answer is cacheable', async () => {
    const log = d.serverLog();
    for (const canary of [kNarrativeCanary, kIdentifierCanary, '306-555-0142']) {
      assert.ok(!log.includes(canary), `${canary} is not in the server log`);
      for (const p of Object.values(people)) {
        assert.ok(!p.headers.some(([, , v]) => v.includes(canary)), `${canary} is in no header seen by ${p.user}`);
      }
    }
    // Every audit event of the day (the rolled-back server holds the early
    // part, the privacy officer's verification failure among it).
    const po = people['privacy.lee'];
    const events = await po.api('AuditQuery', { limit: 1000 });
    const text = JSON.stringify(events.body.events);
    assert.ok(events.body.events.length > 10);
    for (const canary of [kNarrativeCanary, kIdentifierCanary]) assert.ok(!text.includes(canary));
    for (const p of Object.values(people)) {
      for (const a of p.answers) assert.match(a.cacheControl, /no-store/, `${a.url} is not cacheable`);
      assert.deepEqual(p.errors, [], `no script error on ${p.user}'s page`);
    }
  });

  after(() => {
    const summary = { ...numbers, screens: [...new Set(screens)].sort(), shots };
    writeFileSync(path.join(shots, 'table-day.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify(summary, null, 2));
  });
});
