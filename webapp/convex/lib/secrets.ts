/**
 * Secrets, keys and their digests.
 *
 * Randomness: secrets and keys are drawn with `crypto.getRandomValues` while a mutation runs,
 * never at module load. In Convex's runtime each query/mutation execution gets a fresh 32-byte
 * seed from the backend's `rand::rng()` (an OS-seeded CSPRNG) and draws from a ChaCha12 stream
 * cipher generator keyed with it (convex-backend: function_runner `rng_seed`, isolate
 * `ChaCha12Rng::from_seed`, op `crypto/getRandomValues`), so the values are unpredictable.
 * Module-level code is different: its seed is fixed per push, so nothing is drawn there.
 */

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function randomBase64Url(byteCount: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(byteCount));
  let out = "";
  let bits = 0;
  let buffer = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BASE64URL[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) {
    out += BASE64URL[(buffer << (6 - bits)) & 63];
  }
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let hex = "";
  for (const byte of digest) {
    hex += byte.toString(16).padStart(2, "0");
  }
  return hex;
}

/** Compares two digests in time independent of where they differ (no `timingSafeEqual` here). */
export function digestsEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    difference |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return difference === 0;
}

export const MACHINE_ID_FORMAT = /^mch_[A-Za-z0-9_-]{3,64}$/;
export const SECRET_FORMAT = /^sec_[A-Za-z0-9_-]{8,128}$/;
export const ACCESS_KEY_FORMAT = /^ak_[A-Za-z0-9_-]{43,128}$/;

export function newMachineId(): string {
  return "mch_" + randomBase64Url(12);
}

export function newMachineSecret(): string {
  return "sec_" + randomBase64Url(32);
}

export function newAccessKey(): string {
  return "ak_" + randomBase64Url(32);
}
