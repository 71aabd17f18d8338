// The table the browser tests run: the demo's Riverside table (ten agencies,
// a chair, a privacy officer, a guest, an administrator, a rep per agency)
// and a second table, Lakeside, whose rep must reach none of Riverside's data.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { source } from './deployment.mjs';

export function tableToml() {
  const demo = readFileSync(path.join(source, 'deploy/demo/table.toml'), 'utf8');
  return `${demo}
[[agency]]
code = "lps"
name = "Lakeside Police Service"
sector = "POLICE"
isa_signed = 2025-09-01
isa_expires = 2027-08-31

[[table]]
code = "lakeside"
name = "Lakeside Situation Table"
time_zone = "America/Toronto"
schedule = { days = ["mon"], start = "09:00", minutes = 60 }
agencies = ["lps"]

[[user]]
username = "rep.lps.ortiz"
name = "Dana Ortiz"
agency = "lps"
confidentiality_signed = 2026-01-05
roles = [{ table = "lakeside", role = "REP" }]
`;
}
