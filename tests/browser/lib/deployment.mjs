// A real hubtabled for browser tests: a fresh deployment in a temp dir
// (init, apply a table, serve on 127.0.0.1 port 0), and the people's
// credentials as the provisioning wrote them (client.p12, one-time password,
// authenticator URI).

import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, existsSync, writeFileSync, cpSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const source = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export function buildDir() {
  const dir = process.env.HUBTABLE_BUILD_DIR || path.join(source, 'build/dev');
  return path.resolve(dir);
}

/** Waits for `check()` to be truthy (polling, bounded); throws naming `what`. */
export async function until(what, check, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export class Deployment {
  /** `limits`: more of hubtabled.toml's [limits], e.g. {session_idle_timeout_ms: 4000}. */
  constructor(tableToml, limits = {}) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'hubtable-browser-'));
    this.hubtabled = path.join(buildDir(), 'server/hubtabled');
    this.config = path.join(this.dir, 'd/hubtabled.toml');
    this.profiles = path.join(this.dir, 'profiles');
    this.log = path.join(this.dir, 'hubtabled.log');
    this.passwords = new Map();
    execFileSync(this.hubtabled, ['init', '--dir', path.join(this.dir, 'd'), '--listen', '127.0.0.1:0'], { stdio: 'pipe' });
    // Every browser of the test comes from 127.0.0.1, as a meeting room
    // behind one NAT address would; each holds its event stream and up to
    // six pooled connections (README, "Use it in a browser").
    const lines = Object.entries({ max_connections_per_address: 128, ...limits }).map(([k, v]) => `${k} = ${v}\n`);
    appendFileSync(this.config, `\n[limits]\n${lines.join('')}`);
    const toml = path.join(this.dir, 'table.toml');
    writeFileSync(toml, tableToml);
    execFileSync(this.hubtabled, ['apply', '--config', this.config, toml, '--profiles-out', this.profiles], { stdio: 'pipe' });
  }

  async start() {
    const portFile = path.join(this.dir, 'port');
    rmSync(portFile, { force: true });
    const out = openSync(this.log, 'a');
    this.server = spawn(this.hubtabled, ['serve', '--config', this.config, '--port-file', portFile], {
      stdio: ['ignore', out, out],
    });
    this.exited = new Promise((resolve) => this.server.once('exit', resolve));
    this.port = Number(await until('hubtabled to listen', () => existsSync(portFile) && readFileSync(portFile, 'utf8').trim()));
    this.origin = `https://127.0.0.1:${this.port}`;
  }

  async stop() {
    if (!this.server || this.server.exitCode !== null) return;
    this.server.kill('SIGTERM');
    await this.exited;
  }

  /** Copies the database and key store (the server stopped) to `name`. */
  snapshot(name) {
    cpSync(path.join(this.dir, 'd/data'), path.join(this.dir, `snapshot-${name}`), { recursive: true });
  }

  /** Puts a snapshot back in place of the data (the server stopped). */
  restore(name) {
    rmSync(path.join(this.dir, 'd/data'), { recursive: true, force: true });
    cpSync(path.join(this.dir, `snapshot-${name}`), path.join(this.dir, 'd/data'), { recursive: true });
  }

  profile(user) {
    return path.join(this.profiles, user);
  }

  oneTimePassword(user) {
    return readFileSync(path.join(this.profile(user), 'one-time-password'), 'utf8').trim();
  }

  /** The current authenticator code (oathtool, as the quickstart uses). */
  totp(user) {
    const uriFile = path.join(this.profile(user), 'totp-uri');
    if (!existsSync(uriFile)) return '';
    const secret = /secret=([A-Z2-7]+)/.exec(readFileSync(uriFile, 'utf8'))[1];
    return execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
  }

  serverLog() {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '';
  }

  async close() {
    await this.stop();
    if (!process.env.HUBTABLE_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
