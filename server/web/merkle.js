// The audit log's proofs, checked in the browser with WebCrypto: the
// checkpoint's Ed25519 signature over its C2SP note body, followed through
// the audit key's rotations, and the RFC 9162 (section 2.1.4.2) consistency
// proof between two tree sizes.

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

// The C2SP note body crypto/checkpoint.cpp signs; a rotation adds the line
// naming both keys.
function noteBody(c) {
  let body = `${c.origin || ''}\n${c.treeSize || 0}\n${c.rootHash || ''}\ntime ${c.timeUs || 0}\n`;
  if (c.rotation) body += `key-rotation ${c.rotation.previousKey || ''} ${c.rotation.nextKey || ''}\n`;
  return body;
}

async function signedBy(c, publicKey, keyId, signature) {
  if (!c || !publicKey) return false;
  const key = fromBase64(publicKey);
  const enc = new TextEncoder();
  const id = (await sha256(enc.encode(`${c.origin || ''}\n`), Uint8Array.of(1), key)).slice(0, 4);
  if (toBase64(id) !== (keyId || '')) return false;
  try {
    const k = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, k, fromBase64(signature), new TextEncoder().encode(noteBody(c)));
  } catch {
    return false;
  }
}

/** True when `c` (a SignedCheckpoint in JSON) is signed by `publicKey` (base64, 32 bytes). */
export function verifyCheckpoint(c, publicKey) {
  return signedBy(c, publicKey, c && c.keyId, c && c.signature);
}

/**
 * The audit keys, followed from `pinned` (base64) through the log's key
 * rotations as crypto/key_chain.cpp follows them: each rotation signed by
 * both of its keys, each joining the one before, the pinned key one of them.
 * Null when they are not.
 */
export async function followKeys(pinned, rotations) {
  const list = [...(rotations || [])].sort((a, b) => Number(a.treeSize) - Number(b.treeSize));
  if (list.length === 0) return { keys: [pinned], sizes: [], rotations: [] };
  for (let i = 0; i < list.length; i += 1) {
    const r = list[i];
    const k = r.rotation || {};
    if (!(await verifyCheckpoint(r, k.previousKey)) || !(await signedBy(r, k.nextKey, k.nextKeyId, k.nextSignature))) return null;
    if (i > 0 && (list[i - 1].rotation.nextKey !== k.previousKey || list[i - 1].treeSize === r.treeSize)) return null;
  }
  const keys = [list[0].rotation.previousKey, ...list.map((r) => r.rotation.nextKey)];
  if (!keys.includes(pinned)) return null;
  return { keys, sizes: list.map((r) => Number(r.treeSize)), rotations: list };
}

/** True when `c` is signed by the key of `chain` (followKeys) in use at its tree size. */
export async function verifyChained(chain, c) {
  if (!chain || !c) return false;
  const size = Number(c.treeSize || 0);
  const index = chain.sizes.filter((s) => s < size).length;
  if (!(await verifyCheckpoint(c, chain.keys[index]))) return false;
  if (chain.sizes[index] !== size) return !c.rotation;
  const own = chain.rotations[index];
  return c.rootHash === own.rootHash && c.timeUs === own.timeUs && !!c.rotation &&
    c.rotation.previousKey === own.rotation.previousKey && c.rotation.nextKey === own.rotation.nextKey &&
    signedBy(c, chain.keys[index + 1], c.rotation.nextKeyId, c.rotation.nextSignature);
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
