// A client certificate from another CA (its organisation is also
// "hubtable", so Chromium's policy offers it): what a stranger's or another
// deployment's device presents.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { scratchDir } from './browser.mjs';

export function foreignP12() {
  const dir = scratchDir('hubtable-foreign-');
  const f = (name) => path.join(dir, name);
  const run = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/O=hubtable/CN=hubtable deployment CA foreign', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', '/O=hubtable/CN=chair.morgan', '-keyout', f('client.key'), '-out', f('client.csr'));
  writeFileSync(f('ext'), 'extendedKeyUsage=clientAuth\n');
  run('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('ext'), '-out', f('client.crt'));
  writeFileSync(f('passphrase'), 'foreign-test\n');
  run('pkcs12', '-export', '-inkey', f('client.key'), '-in', f('client.crt'), '-certfile', f('ca.crt'),
    '-passout', `file:${f('passphrase')}`, '-out', f('client.p12'));
  return { p12: f('client.p12'), passphraseFile: f('passphrase') };
}
