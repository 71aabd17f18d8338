// One person at the table, in their own browser: logs in through the page,
// clicks and types as they would (counting each click and keystroke), and
// asks the server directly, through the same page and cookie, what it
// recorded.

import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { launch, nssHome, desktop } from './browser.mjs';
import { until } from './deployment.mjs';
import { shots } from './checks.mjs';

export class Person {
  constructor(deployment, user, options = {}) {
    this.d = deployment;
    this.user = user;
    this.options = options;
    this.clicks = 0;
    this.keys = 0;
    this.headers = [];  // every response header seen: [url, name, value]
    this.answers = [];  // every /api/ answer: {url, status, cacheControl}
  }

  async open() {
    const profile = this.d.profile(this.user);
    this.home = this.options.home || nssHome({
      p12: path.join(profile, 'client.p12'),
      passphraseFile: path.join(profile, 'client.p12-passphrase'),
      ca: path.join(profile, 'ca.crt'),
    });
    const { browser, page } = await launch(this.home, { viewport: this.options.viewport || desktop, language: this.options.language || 'en' });
    this.browser = browser;
    this.page = page;
    page.on('response', (r) => {
      for (const [k, v] of Object.entries(r.headers())) this.headers.push([r.url(), k, v]);
      if (r.url().includes('/api/v1/') && !r.url().endsWith('/events')) {
        this.answers.push({ url: r.url(), status: r.status(), cacheControl: r.headers()['cache-control'] || '' });
      }
    });
    this.errors = [];
    page.on('pageerror', (e) => this.errors.push(String(e)));
    return this;
  }

  /** Opens the page at `hash` and, for a screen, waits until it is drawn
   * (its answers shown), as a person waits for a screen to settle before
   * clicking: a button still moving as the content above it arrives may
   * not be where the click lands. */
  async goto(hash = '') {
    await this.page.goto(`${this.d.origin}/${hash}`, { waitUntil: 'domcontentloaded' });
    if (!hash) return;
    try {
      await this.page.waitForFunction((h) => {
        const main = document.getElementById('main');
        return main.getAttribute('aria-busy') === 'false' && main.dataset.shown === h;
      }, { timeout: 15000 }, hash);
    } catch (e) {
      throw new Error(`${this.user}: ${hash} was not drawn (${e.message}); the page says "${await this.said()}"`);
    }
  }

  async click(selector) {
    // A locator finds the element again if the screen was drawn anew
    // between finding and clicking it, as a person would click the new one.
    await this.page.locator(selector).click();
    this.clicks += 1;
  }

  async type(selector, text) {
    await this.page.waitForSelector(selector, { visible: true });
    await this.page.type(selector, text);
    this.keys += [...text].length;
  }

  async press(key) {
    await this.page.keyboard.press(key);
    this.keys += 1;
  }

  async select(selector, value) {
    await this.page.waitForSelector(selector, { visible: true });
    await this.page.select(selector, value);
    this.clicks += 2;  // open the list, pick the line
  }

  /** Picks the page's language (not counted: set once per device) and waits
   * for the screen to be drawn again in it. */
  async chooseLanguage(lang) {
    await this.page.select('#language', lang);
    await this.page.waitForFunction((l) => document.documentElement.lang === l
      && document.getElementById('main').getAttribute('aria-busy') !== 'true', {}, lang);
  }

  async text(selector) {
    await this.page.waitForSelector(selector, { visible: true });
    return this.page.$eval(selector, (e) => e.textContent);
  }

  /** What the page's message line says, for a failure's report. */
  async said() {
    return this.page.$eval('#message', (m) => m.textContent).catch(() => '');
  }

  async waitText(selector, pattern) {
    let seen = '';
    try {
      await until(`${selector} to read ${pattern}`, async () => {
        seen = await this.page.$eval(selector, (e) => e.textContent).catch(() => '(absent)');
        return pattern.test(seen);
      });
    } catch (e) {
      const said = await this.said();
      await this.page.screenshot({ path: `${shots}/failed-${this.user}.png` }).catch(() => {});
      throw new Error(`${this.user}: ${e.message}; it reads "${seen}"; the page says "${said}"`);
    }
  }

  /** Logs in through the page: one-time password, a new one, the authenticator. */
  async login() {
    await this.goto();
    await this.page.waitForSelector('#login-form');
    const known = this.d.passwords.get(this.user);
    await this.type('#username', this.user);
    await this.type('#password', known || this.d.oneTimePassword(this.user));
    for (let round = 0; round < 3; round += 1) {
      await this.click('#login-form button[type=submit]');
      const next = await until('the login to answer', () => this.page.evaluate(() => {
        if (document.querySelector('#nav a')) return 'in';
        const asks = (id) => !document.getElementById(`${id}-field`).hidden && !document.getElementById(id).value;
        if (asks('new-password')) return 'new-password';
        if (asks('totp')) return 'totp';
        const m = document.getElementById('message').textContent;
        return m && document.getElementById('message').className.includes('error') ? `refused: ${m}` : '';
      }));
      if (next === 'in') return;
      if (next.startsWith('refused')) throw new Error(`${this.user}: ${next}`);
      if (next === 'new-password') {
        const chosen = `${randomBytes(12).toString('base64')}!`;
        await this.type('#new-password', chosen);
        this.d.passwords.set(this.user, chosen);
      } else {
        await this.type('#totp', this.d.totp(this.user));
      }
    }
    throw new Error(`${this.user}: the login did not finish`);
  }

  /** Calls a request through this person's page (cookie and CSRF header as the app sends them). */
  async api(name, body = {}) {
    return this.page.evaluate(async (n, b) => {
      const r = await fetch(`/api/v1/${n}Request`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hubtable-CSRF': '1' }, body: JSON.stringify(b),
      });
      const json = await r.json();
      const kind = Object.keys(json).find((k) => k !== 'status');
      return { http: r.status, status: json.status || {}, body: (kind && json[kind]) || {} };
    }, name, body);
  }

  async close() {
    if (this.browser) await this.browser.close();
  }
}
