// The page's two string catalogues: the same keys, the same placeholders in
// each text, and every key the page's code and markup ask for is there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { source } from './lib/deployment.mjs';

const web = path.join(source, 'server/web');
const catalogue = (lang) => JSON.parse(readFileSync(path.join(web, `i18n-${lang}.json`), 'utf8'));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('English and French hold the same keys with the same placeholders', () => {
  const en = catalogue('en');
  const fr = catalogue('fr');
  assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(fr[key]), placeholders(en[key]), key);
  }
});

test('every key the page asks for is in the catalogues', () => {
  const en = catalogue('en');
  const asked = new Set();
  for (const file of readdirSync(web)) {
    const text = readFileSync(path.join(web, file), 'utf8');
    if (file.endsWith('.js')) for (const m of text.matchAll(/\bt\('([\w.]+)'/g)) asked.add(m[1]);
    if (file.endsWith('.html')) for (const m of text.matchAll(/data-t="([\w.]+)"/g)) asked.add(m[1]);
  }
  assert.ok(asked.size > 100, `found ${asked.size} keys`);
  const missing = [...asked].filter((k) => !(k in en));
  assert.deepEqual(missing, []);
});
