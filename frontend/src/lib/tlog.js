// Checking a receipt against a campaign's transparency log, in the browser,
// with WebCrypto only: SHA-256 for the Merkle tree (RFC 6962 hashing, as
// c2sp.org/tlog-tiles serves it) and Ed25519 for the checkpoint's signed
// note (c2sp.org/signed-note). Nothing leaves the browser but requests for
// the log's public, cacheable files: the server never learns which receipt
// is checked, since every entry is read and searched here.
//
// The server side is server/internal/translog; a leaf is one line,
// "kind day commitment [reason]\n", and a commitment is the hex SHA-256 of
// "undersigned receipt v1:" and the receipt's 24 letters.

const encoder = new TextEncoder();
const TILE_WIDTH = 256;

/** The 24 letters of a receipt typed back in any case, with dashes or spaces, or null. */
export function normalizeReceipt(code) {
  const letters = String(code).toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z2-7]{24}$/.test(letters) ? letters : null;
}

/** Split "slug/CODE" (the confirmation page's verify link fragment). */
export function parseReceiptLink(hash) {
  const text = decodeURIComponent(String(hash).replace(/^#/, ''));
  const at = text.lastIndexOf('/');
  if (at < 0) return { slug: '', receipt: text };
  return { slug: text.slice(0, at), receipt: text.slice(at + 1) };
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function fromBase64(s) {
  const bin = atob(s);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The hex commitment a leaf carries for a receipt. */
export async function commitment(receipt) {
  const letters = normalizeReceipt(receipt);
  if (!letters) throw new Error('bad receipt');
  return hex(await sha256(encoder.encode('undersigned receipt v1:' + letters)));
}

/** RFC 6962 leaf hash of an entry. */
export function leafHash(entry) {
  return sha256(concat(new Uint8Array([0]), entry));
}

/** RFC 6962 interior node hash. */
export function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** A leaf line read back: {kind, day, commitment, reason}, or null. */
export function parseLeaf(entry) {
  const text = typeof entry === 'string' ? entry : new TextDecoder().decode(entry);
  const m = /^(confirmed|withdrawn|invalidated) (\d{4}-\d{2}-\d{2}) ([0-9a-f]{64})(?: ([a-z_]+))?\n$/.exec(text);
  return m ? { kind: m[1], day: m[2], commitment: m[3], reason: m[4] ?? '' } : null;
}

/** Split an entry bundle into its entries (2-byte big-endian lengths). */
export function splitBundle(data) {
  const out = [];
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) throw new Error('truncated bundle');
    const n = (data[at] << 8) | data[at + 1];
    if (at + 2 + n > data.length) throw new Error('truncated bundle');
    out.push(data.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return out;
}

/** The c2sp.org/tlog-tiles path of tile n at level (or "entries"), width w. */
export function tilePath(level, n, width) {
  let digits = String(n).padStart(3, '0');
  while (digits.length % 3) digits = '0' + digits;
  const groups = digits.match(/.{3}/g);
  const index = groups.map((g, i) => (i < groups.length - 1 ? 'x' + g : g)).join('/');
  return `tile/${level}/${index}${width < TILE_WIDTH ? '.p/' + width : ''}`;
}

/** Parse "name+hash+base64(0x01 || Ed25519 key)". */
export async function parseVerifierKey(vkey) {
  // Base64 may hold "+" itself: the key is everything after the second one.
  const [name, hashHex, ...rest] = vkey.trim().split('+');
  const key64 = rest.join('+');
  const key = fromBase64(key64 ?? '');
  if (!name || !/^[0-9a-f]{8}$/.test(hashHex ?? '') || key.length !== 33 || key[0] !== 1) throw new Error('bad key');
  const id = await sha256(concat(encoder.encode(name + '\n'), key));
  if (hex(id.subarray(0, 4)) !== hashHex) throw new Error('bad key hash');
  return { name, hash: id.subarray(0, 4), publicKey: key.subarray(1) };
}

/**
 * Open a signed checkpoint: its text, origin, size and root, and whether the
 * log's Ed25519 signature verified (true), failed (false) or cannot be
 * checked in this browser (null: no Ed25519 in its WebCrypto).
 */
export async function openCheckpoint(note, key) {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('not a signed note');
  const text = note.slice(0, split + 1);
  const [origin, size, root] = text.split('\n');
  if (!/^\d+$/.test(size ?? '')) throw new Error('bad checkpoint');
  const witnesses = [];
  let signature = null;
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    const sig = fromBase64(m[2]);
    if (m[1] === key.name && hex(sig.subarray(0, 4)) === hex(key.hash)) signature = sig.subarray(4);
    else witnesses.push(m[1]);
  }
  let verified = false;
  if (signature) {
    try {
      const k = await crypto.subtle.importKey('raw', key.publicKey, { name: 'Ed25519' }, false, ['verify']);
      verified = await crypto.subtle.verify({ name: 'Ed25519' }, k, signature, encoder.encode(text));
    } catch (err) {
      if (err?.name === 'NotSupportedError' || err?.name === 'SyntaxError' || err instanceof TypeError) verified = null;
      else throw err;
    }
  }
  return { text, origin, size: Number(size), root: fromBase64(root), verified, witnesses };
}

/**
 * A reader of a log's tiles over fetch, with the Merkle computations that
 * prove a leaf included in a tree of a given size.
 */
export class TileReader {
  /** @param {(path: string) => Promise<Uint8Array>} get */
  constructor(get, size) {
    this.get = get;
    this.size = size;
    this.tiles = new Map();
  }

  async tile(level, n) {
    const perHash = TILE_WIDTH ** level; // leaves under one hash of this level's tiles
    const width = Math.min(TILE_WIDTH, Math.floor(this.size / perHash) - n * TILE_WIDTH);
    const path = tilePath(level, n, width);
    if (!this.tiles.has(path)) this.tiles.set(path, this.get(path));
    const data = await this.tiles.get(path);
    if (data.length !== width * 32) throw new Error(`tile ${path} has ${data.length} bytes`);
    return data;
  }

  /** The hash of the complete, aligned subtree of 2^height leaves starting at leaf start. */
  async subtree(start, height) {
    const level = Math.floor(height / 8);
    const span = 2 ** (height - level * 8); // hashes of the tile row to fold
    const first = start / TILE_WIDTH ** level; // index among that row's hashes
    const n = Math.floor(first / TILE_WIDTH);
    const data = await this.tile(level, n);
    let row = [];
    for (let i = 0; i < span; i++) {
      const at = (first - n * TILE_WIDTH + i) * 32;
      row.push(data.subarray(at, at + 32));
    }
    while (row.length > 1) {
      const next = [];
      for (let i = 0; i < row.length; i += 2) next.push(await nodeHash(row[i], row[i + 1]));
      row = next;
    }
    return row[0];
  }

  /** The RFC 6962 hash of leaves [a, b), split as the tree splits them. */
  async range(a, b) {
    const n = b - a;
    if ((n & (n - 1)) === 0 && a % n === 0) return this.subtree(a, Math.log2(n));
    const k = 2 ** Math.floor(Math.log2(n - 1));
    return nodeHash(await this.range(a, a + k), await this.range(a + k, b));
  }

  /** The root of the tree computed from leaf i's own hash and the tiles around it. */
  async rootWith(i, hash, a = 0, b = this.size) {
    if (b - a === 1) return hash;
    const k = 2 ** Math.floor(Math.log2(b - a - 1));
    if (i < a + k) return nodeHash(await this.rootWith(i, hash, a, a + k), await this.range(a + k, b));
    return nodeHash(await this.range(a, a + k), await this.rootWith(i, hash, a + k, b));
  }
}

function equal(x, y) {
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Check a receipt against a campaign's log at `base` (e.g. "/log/slug"):
 * read the key and the signed checkpoint, search every entry for the
 * receipt's leaves, prove the leaf included from the hash tiles, and count.
 * @returns {Promise<{status: 'counted'|'withdrawn'|'invalidated'|'absent', reason?: string, day?: string,
 *   size: number, counted: number, signature: boolean|null, witnesses: string[], index?: number}>}
 */
export async function checkReceipt(base, receipt, fetchBytes = defaultFetch) {
  const want = await commitment(receipt);
  const key = await parseVerifierKey(new TextDecoder().decode(await fetchBytes('/log/key')));
  const cp = await openCheckpoint(new TextDecoder().decode(await fetchBytes(base + '/checkpoint')), key);
  if (cp.verified === false) throw new Error('checkpoint signature does not verify');
  const found = {};
  let counted = 0;
  for (let n = 0; n * TILE_WIDTH < cp.size; n++) {
    const width = Math.min(TILE_WIDTH, cp.size - n * TILE_WIDTH);
    const entries = splitBundle(await fetchBytes(`${base}/${tilePath('entries', n, width)}`));
    if (entries.length !== width) throw new Error('entry bundle of the wrong size');
    entries.forEach((entry, j) => {
      const leaf = parseLeaf(entry);
      if (!leaf) throw new Error('malformed leaf');
      counted += leaf.kind === 'confirmed' ? 1 : -1;
      if (leaf.commitment === want) found[leaf.kind === 'confirmed' ? 'confirmed' : 'removed'] = { leaf, entry, index: n * TILE_WIDTH + j };
    });
  }
  const result = { size: cp.size, counted, signature: cp.verified, witnesses: cp.witnesses };
  if (!found.confirmed) return { ...result, status: 'absent' };
  const tiles = new TileReader((path) => fetchBytes(`${base}/${path}`), cp.size);
  for (const f of [found.confirmed, found.removed].filter(Boolean)) {
    const root = await tiles.rootWith(f.index, await leafHash(f.entry));
    if (!equal(root, cp.root)) throw new Error('the leaf is not included in the signed tree');
  }
  if (found.removed) {
    const { kind, reason, day } = found.removed.leaf;
    return { ...result, status: kind, reason, day, index: found.removed.index };
  }
  return { ...result, status: 'counted', day: found.confirmed.leaf.day, index: found.confirmed.index };
}

async function defaultFetch(path) {
  const res = await fetch(path, { credentials: 'omit' });
  if (!res.ok) {
    const err = new Error(`GET ${path}: ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return new Uint8Array(await res.arrayBuffer());
}
