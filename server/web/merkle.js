// The audit log's proofs, checked in the browser with WebCrypto: the
// checkpoint's Ed25519 signature over its C2SP note body, and the RFC 9162
// (section 2.1.4.2) consistency proof between two tree sizes.

export function fromBase64(text) {
  const raw = atob(text || '');
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function toBase64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

async function sha256(...parts) {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

const nodeHash = (l, r) => sha256(Uint8Array.of(1), l, r);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** True when `c` (a SignedCheckpoint in JSON) is signed by `publicKey` (base64, 32 bytes). */
export async function verifyCheckpoint(c, publicKey) {
  if (!c || !publicKey) return false;
  const key = fromBase64(publicKey);
  const enc = new TextEncoder();
  const origin = c.origin || '';
  const id = (await sha256(enc.encode(`${origin}\n`), Uint8Array.of(1), key)).slice(0, 4);
  if (toBase64(id) !== (c.keyId || '')) return false;
  const body = `${origin}\n${c.treeSize || 0}\n${c.rootHash || ''}\ntime ${c.timeUs || 0}\n`;
  try {
    const k = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, k, fromBase64(c.signature), enc.encode(body));
  } catch {
    return false;
  }
}

/** RFC 9162 2.1.4.2, as crypto/merkle.cpp verify_consistency does it. */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && same(oldRoot, newRoot);
  if (oldSize === 0 || proof.length === 0) return false;
  const o = BigInt(oldSize);
  const path = (o & (o - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
  let fn = BigInt(oldSize - 1);
  let sn = BigInt(newSize - 1);
  const shift = () => {
    fn >>= 1n;
    sn >>= 1n;
  };
  while (fn & 1n) shift();
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i += 1) {
    const c = path[i];
    if (sn === 0n) return false;
    if ((fn & 1n) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!(fn & 1n) && fn !== 0n) shift();
    } else {
      sr = await nodeHash(sr, c);
    }
    shift();
  }
  return sn === 0n && same(fr, oldRoot) && same(sr, newRoot);
}
