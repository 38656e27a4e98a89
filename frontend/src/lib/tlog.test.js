import { describe, expect, it } from 'vitest';
import {
  TileReader,
  commitment,
  hex,
  leafHash,
  nodeHash,
  normalizeReceipt,
  openCheckpoint,
  parseLeaf,
  parseReceiptLink,
  parseVerifierKey,
  splitBundle,
  tilePath,
} from './tlog.js';

const enc = new TextEncoder();

// The plain RFC 6962 definition, to check the tile-based computation against.
async function mth(hashes) {
  if (hashes.length === 1) return hashes[0];
  const k = 2 ** Math.floor(Math.log2(hashes.length - 1));
  return nodeHash(await mth(hashes.slice(0, k)), await mth(hashes.slice(k)));
}

// Tiles as the server serves them: level L holds the hashes of the complete
// subtrees of 256^L leaves.
async function tilesOf(leafHashes) {
  const tiles = new Map();
  let row = leafHashes;
  for (let level = 0; row.length > 0; level++) {
    for (let n = 0; n * 256 < row.length; n++) {
      const part = row.slice(n * 256, n * 256 + 256);
      const data = new Uint8Array(part.length * 32);
      part.forEach((h, i) => data.set(h, i * 32));
      tiles.set(tilePath(level, n, part.length), data);
    }
    const next = [];
    for (let i = 0; i + 256 <= row.length; i += 256) next.push(await mth(row.slice(i, i + 256)));
    row = next;
  }
  return tiles;
}

describe('receipts', () => {
  it('reads a receipt back however it is typed', () => {
    expect(normalizeReceipt('abcd-efgh ijkl-mnop-qrst-uvwx')).toBe('ABCDEFGHIJKLMNOPQRSTUVWX');
    expect(normalizeReceipt('ABCD-EFGH')).toBeNull();
    expect(normalizeReceipt('ABCD-EFGH-IJKL-MNOP-QRST-UVW1')).toBeNull();
    expect(parseReceiptLink('#my-campaign/ABCD-EFGH')).toEqual({ slug: 'my-campaign', receipt: 'ABCD-EFGH' });
  });

  it('commits to a receipt as the server does', async () => {
    // The same vector is in server/internal/translog/leaf_test.go.
    expect(await commitment('abcd-efgh-ijkl-mnop-qrst-uvwx')).toBe('1acc9a713701a57f09dcdac0bd60585df3cf3d692a0899c4b3db73b4cdc398a6');
  });
});

describe('log formats', () => {
  it('names tiles as c2sp.org/tlog-tiles does', () => {
    expect(tilePath(0, 0, 256)).toBe('tile/0/000');
    expect(tilePath(0, 1234067, 256)).toBe('tile/0/x001/x234/067');
    expect(tilePath('entries', 5, 3)).toBe('tile/entries/005.p/3');
  });

  it('parses leaves strictly and splits bundles', () => {
    const c = 'a'.repeat(64);
    expect(parseLeaf(`invalidated 2026-01-02 ${c} fraud_surge\n`)).toEqual({ kind: 'invalidated', day: '2026-01-02', commitment: c, reason: 'fraud_surge' });
    expect(parseLeaf(`confirmed 2026-01-02 ${c}`)).toBeNull();
    expect(parseLeaf(`confirmed 2026-01-02 ${c} alena@example.org\n`)).toBeNull();
    const bundle = new Uint8Array([0, 2, 104, 105, 0, 1, 33]);
    expect(splitBundle(bundle).map((e) => new TextDecoder().decode(e))).toEqual(['hi', '!']);
    expect(() => splitBundle(new Uint8Array([0, 5, 1]))).toThrow();
  });
});

describe('inclusion from tiles', () => {
  it('computes the root of every leaf of trees that span tile levels', async () => {
    for (const size of [1, 2, 3, 7, 256, 257, 300]) {
      const hashes = [];
      for (let i = 0; i < size; i++) hashes.push(await leafHash(enc.encode(`leaf ${i}\n`)));
      const tiles = await tilesOf(hashes);
      const reader = new TileReader(async (path) => {
        if (!tiles.has(path)) throw new Error('no tile ' + path);
        return tiles.get(path);
      }, size);
      const root = hex(await mth(hashes));
      for (const i of new Set([0, 1, size - 1, Math.floor(size / 2)].filter((i) => i < size))) {
        expect(hex(await reader.rootWith(i, hashes[i]))).toBe(root);
      }
      if (size > 1) expect(hex(await reader.rootWith(0, hashes[1]))).not.toBe(root);
    }
  });
});

describe('signed checkpoints', () => {
  it('verifies the log signature with WebCrypto Ed25519 and lists cosigners', async () => {
    for (let i = 0; i < 20; i++) await checkOnce(); // keys whose base64 holds "+" included
  });

  async function checkOnce() {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const keyBytes = new Uint8Array([1, ...pub]);
    const name = 'example.org/log';
    const id = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([...enc.encode(name + '\n'), ...keyBytes])));
    const b64 = (u) => btoa(String.fromCharCode(...u));
    const key = await parseVerifierKey(`${name}+${hex(id.subarray(0, 4))}+${b64(keyBytes)}`);
    const text = `example.org/log/c\n1\n${b64(new Uint8Array(32))}\n`;
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, enc.encode(text)));
    const note = `${text}\n\u2014 ${name} ${b64(new Uint8Array([...id.subarray(0, 4), ...sig]))}\n\u2014 witness.example ${b64(new Uint8Array(76))}\n`;
    const cp = await openCheckpoint(note, key);
    expect(cp).toMatchObject({ origin: 'example.org/log/c', size: 1, verified: true, witnesses: ['witness.example'] });
    const forged = await openCheckpoint(note.replace('\n1\n', '\n2\n'), key);
    expect(forged.verified).toBe(false);
  }
});
