// Debian's chromium, headless, presenting a real client certificate: each
// person gets a HOME whose NSS database holds their client.p12 and trusts
// the deployment's CA, and Chromium's AutoSelectCertificateForUrls policy
// (installed by deploy/install-deps.sh) picks the certificate for
// https://127.0.0.1 when its issuer's organisation is "hubtable".

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

export const policyFile = '/etc/chromium/policies/managed/hubtable-tests.json';

export function checkPolicy() {
  if (!existsSync(policyFile) || !readFileSync(policyFile, 'utf8').includes('AutoSelectCertificateForUrls')) {
    throw new Error(`${policyFile} is missing: run deploy/install-deps.sh`);
  }
}

/**
 * A temporary directory removed when the test process exits (a chromium
 * profile is tens of megabytes; HUBTABLE_KEEP keeps them for a post-mortem).
 */
export function scratchDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (!process.env.HUBTABLE_KEEP) {
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

/** A HOME with an NSS database: `p12` (with its passphrase file) and `ca` trusted. */
export function nssHome({ p12, passphraseFile, ca }) {
  const home = scratchDir('hubtable-nss-');
  const db = path.join(home, '.pki/nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'], { stdio: 'pipe' });
  if (p12) execFileSync('pk12util', ['-i', p12, '-d', `sql:${db}`, '-w', passphraseFile], { stdio: 'pipe' });
  if (ca) execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'hubtable-test-ca', '-t', 'C,,', '-i', ca], { stdio: 'pipe' });
  return home;
}

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Launches chromium for one person; resolves to {browser, page}. */
export async function launch(home, { viewport = desktop, language = 'en' } = {}) {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: path.join(home, 'chromium'),
    env: { ...process.env, HOME: home },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--lang=${language}`],
  });
  const page = await browser.newPage();
  await page.setViewport(viewport);
  return { browser, page };
}
