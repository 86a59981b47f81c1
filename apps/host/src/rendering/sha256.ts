/**
 * SHA-256 (FIPS 180-4) for the short inputs of link tokens, resumable from a saved state.
 *
 * Every message signs several tokens (preferences, unsubscribe, open, each tracked link) and
 * hashes each tracked URL. Through node:crypto each of those is a handful of native calls and
 * objects (an Hmac, or two Hash copies), which cost more than the hashing itself for 40 bytes.
 * Here HMAC's key pads are hashed once (`Sha256State.after(pad)`), and a token is the two
 * compressions left. The spec checks every result against node:crypto's createHash / createHmac.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const BLOCK = 64;
/**
 * Scratch for the message schedule and the padded tail: the process is single-threaded and nothing
 * here awaits. Words are kept as int32 (`| 0` after every addition) so V8 keeps them small integers.
 */
const W = new Int32Array(64);
const TAIL = new Uint8Array(2 * BLOCK);
const INNER = new Uint8Array(32);
const STATE = new Int32Array(8);

function compress(h: Int32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) W[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (((((W[i - 16] + s0) | 0) + W[i - 7]) | 0) + s1) | 0;
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  let f = h[5];
  let g = h[6];
  let k = h[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (((((((k + s1) | 0) + ((e & f) ^ (~e & g))) | 0) + K[i]) | 0) + W[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
  h[5] = (h[5] + f) | 0;
  h[6] = (h[6] + g) | 0;
  h[7] = (h[7] + k) | 0;
}

/** A SHA-256 state after whole blocks of input: the start of every hash that begins with them. */
export class Sha256State {
  private constructor(
    private readonly h: Int32Array,
    /** Bytes hashed into it (a multiple of the block size). */
    private readonly length: number,
  ) {}

  static readonly initial = new Sha256State(IV, 0);

  /** The state after `prefix` too; its length must be a multiple of 64 bytes (an HMAC key pad is one block). */
  after(prefix: Uint8Array): Sha256State {
    if (prefix.length % BLOCK) throw new Error('a SHA-256 prefix state needs whole 64-byte blocks');
    const h = this.h.slice();
    for (let at = 0; at < prefix.length; at += BLOCK) compress(h, prefix, at);
    return new Sha256State(h, this.length + prefix.length);
  }

  /** SHA-256 of everything before and then `data`. */
  digest(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(32);
    this.digestInto(data, out, 0, 32);
    return out;
  }

  /** The first `bytes` bytes of the digest, written into `out` at `at`. */
  digestInto(data: Uint8Array, out: Uint8Array, at: number, bytes: number): void {
    const h = STATE;
    h.set(this.h);
    const full = data.length - (data.length % BLOCK);
    for (let i = 0; i < full; i += BLOCK) compress(h, data, i);
    const rest = data.length - full;
    const tail = rest < BLOCK - 8 ? BLOCK : 2 * BLOCK;
    for (let i = 0; i < rest; i++) TAIL[i] = data[full + i];
    TAIL[rest] = 0x80;
    TAIL.fill(0, rest + 1, tail - 8);
    const bits = (this.length + data.length) * 8;
    const high = Math.floor(bits / 0x100000000);
    TAIL[tail - 8] = high >>> 24;
    TAIL[tail - 7] = high >>> 16;
    TAIL[tail - 6] = high >>> 8;
    TAIL[tail - 5] = high;
    TAIL[tail - 4] = bits >>> 24;
    TAIL[tail - 3] = bits >>> 16;
    TAIL[tail - 2] = bits >>> 8;
    TAIL[tail - 1] = bits;
    for (let i = 0; i < tail; i += BLOCK) compress(h, TAIL, i);
    for (let i = 0; i < bytes; i++) out[at + i] = h[i >>> 2] >>> (24 - 8 * (i & 3));
  }
}

export function sha256(data: Uint8Array): Buffer {
  return Sha256State.initial.digest(data);
}

/** HMAC-SHA256 (RFC 2104) with its key's pads hashed once. */
export class HmacSha256 {
  private readonly inner: Sha256State;
  private readonly outer: Sha256State;

  constructor(key: Uint8Array) {
    const block = key.length > BLOCK ? sha256(key) : key;
    const ipad = Buffer.alloc(BLOCK, 0x36);
    const opad = Buffer.alloc(BLOCK, 0x5c);
    for (let i = 0; i < block.length; i++) {
      ipad[i] ^= block[i];
      opad[i] ^= block[i];
    }
    this.inner = Sha256State.initial.after(ipad);
    this.outer = Sha256State.initial.after(opad);
  }

  digest(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(32);
    this.digestInto(data, out, 0, 32);
    return out;
  }

  /** The first `bytes` bytes of the MAC, written into `out` at `at`. */
  digestInto(data: Uint8Array, out: Uint8Array, at: number, bytes: number): void {
    this.inner.digestInto(data, INNER, 0, 32);
    this.outer.digestInto(INNER, out, at, bytes);
  }
}
