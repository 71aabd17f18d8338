// What every screen must pass: axe-core's WCAG 2.1 A/AA rules with no
// violation, and a screenshot for people to look at (under the build
// directory: browser-screenshots/<screen>-<language>-<size>.png).

import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildDir } from './deployment.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const shots = path.join(buildDir(), 'browser-screenshots');

/** Runs axe on the page as it is; resolves to the violations (id: nodes). */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (no inline
  // script) does not govern; the page itself is not loosened for the test.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
