// pingan safety-code (平安码) verifier for browsers: works offline once keys and revocation lists are cached.
//
// Format (docs/codes.md): "PA1:" + base45(zlib(COSE_Sign1(CWT claims)) or the COSE_Sign1 itself).
//   base45: RFC 9285; zlib: RFC 1950 (first byte 0x78), inflated with DecompressionStream("deflate");
//   CBOR: RFC 8949 (the minimal decoder below: definite lengths only, as pingan emits);
//   COSE_Sign1: RFC 9052 §4.2, Sig_structure §4.4; ES256 / EdDSA (Ed25519): RFC 9053;
//   CWT claims: RFC 8392. No external libraries, no network: everything needed is in this file.
//
// The statuses and layers are the same strings as the Python verifier (pingan.codes.token.verify),
// checked in the same order.

export const PREFIX = "PA1:";
export const MAX_TOKEN_BYTES = 4096;
export const REVOCATION_AAD = new TextEncoder().encode("pingan-revocation-list/1");
const PREMISES_CLAIM = -65537;
const ALG_ES256 = -7;
const ALG_EDDSA = -8;
const LEVELS = { 1: "green", 2: "yellow", 3: "red" };
const ZLIB_FIRST_BYTE = 0x78;
const PREMISES_FIELDS = ["premises id", "premises name", "level", "rule-set version", "people"];
const REASONS = { 1: "rescreened", 2: "fraud", 3: "error", 4: "suspended", 5: "overridden" };

export class MalformedError extends Error {
  constructor(layer, message) {
    super(`${layer}: ${message}`);
    this.layer = layer;
    this.detail = message;
  }
}

// ---------------------------------------------------------------------------------------------- base45
const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const B45_VALUES = new Map([...B45].map((c, i) => [c, i]));

export function base45Decode(text) {
  const values = [];
  for (let i = 0; i < text.length; i++) {
    const v = B45_VALUES.get(text[i]);
    if (v === undefined) throw new MalformedError("base45", `character ${JSON.stringify(text[i])} at position ${i} is not in the base45 alphabet`);
    values.push(v);
  }
  if (values.length % 3 === 1) throw new MalformedError("base45", `length ${values.length} is impossible for base45`);
  const out = [];
  for (let i = 0; i < values.length; i += 3) {
    if (values.length - i >= 3) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
      if (n > 0xffff) throw new MalformedError("base45", `triplet at position ${i} encodes ${n}, more than 65535`);
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw new MalformedError("base45", `final pair at position ${i} encodes ${n}, more than 255`);
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

// ------------------------------------------------------------------------------------ the URL form (§12)
// https://…/verify/#1<digits>: 7 bytes per 17 digits, a final k bytes in 3/5/8/10/13/15 digits.
export const URL_FORMAT = "1";
const DIGITS_FOR = [0, 3, 5, 8, 10, 13, 15, 17];
const BYTES_FOR = new Map(DIGITS_FOR.map((d, k) => [d, k]));

export function isUrlForm(text) {
  return /^https?:\/\//i.test(String(text).trimStart());
}

export function digitsDecode(text) {
  if (!/^[0-9]*$/.test(text)) throw new MalformedError("digits", "the code part of the link must be digits only");
  if (text.length > 12000) throw new MalformedError("digits", "the code part of the link is too long");
  const full = Math.floor(text.length / 17), rest = text.length % 17;
  if (rest && !BYTES_FOR.has(rest)) throw new MalformedError("digits", `${text.length} digits is not a length the encoding produces (cut off or damaged?)`);
  const out = [];
  const spans = [...Array(full)].map((_, i) => [i * 17, 17]).concat(rest ? [[full * 17, rest]] : []);
  for (const [start, width] of spans) {
    let n = BigInt(text.slice(start, start + width));
    const k = BYTES_FOR.get(width);
    if (n >= 1n << BigInt(8 * k)) throw new MalformedError("digits", `digits ${start + 1}–${start + width} encode more than ${k} byte(s) hold`);
    const group = new Array(k);
    for (let j = k - 1; j >= 0; j--) { group[j] = Number(n & 0xffn); n >>= 8n; }
    out.push(...group);
  }
  return new Uint8Array(out);
}

// The code bytes of a link: its fragment after "#", format digit first. The host is not checked: whose key
// signed the code is what counts.
export function urlFormBytes(text) {
  const hash = text.indexOf("#");
  if (hash < 0) throw new MalformedError("prefix", "the link has no code after '#'");
  const fragment = text.slice(hash + 1).replace(/\s+$/, "");
  if (!fragment.startsWith(URL_FORMAT)) throw new MalformedError("prefix", `the link's code is of format ${JSON.stringify(fragment.slice(0, 1))}, this verifier reads "${URL_FORMAT}"`);
  return digitsDecode(fragment.slice(URL_FORMAT.length));
}

// ------------------------------------------------------------------------------------------------ zlib
export async function inflate(bytes) {
  let reader;
  try {
    reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
  } catch (e) {
    throw new MalformedError("zlib", `DecompressionStream unavailable (${e})`);
  }
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_TOKEN_BYTES) {
        await reader.cancel();
        throw new MalformedError("zlib", `inflates to more than ${MAX_TOKEN_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof MalformedError) throw e;
    throw new MalformedError("zlib", `not a valid or complete zlib stream (${e.message || e})`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

// ------------------------------------------------------------------------------------------------ CBOR
export class Tagged {
  constructor(tag, value) { this.tag = tag; this.value = value; }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
// Premises names are GB 18030 bytes (docs/codes.md §4); the WHATWG Encoding Standard decodes "gb18030".
const gb18030 = new TextDecoder("gb18030", { fatal: true });

export function decodeCbor(bytes, layer = "cbor") {
  const state = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos: 0, layer };
  let value;
  try {
    value = readItem(state, 0);
  } catch (e) {
    if (e instanceof MalformedError) throw e;
    throw new MalformedError(layer, `not valid CBOR (${e.message || e})`);
  }
  if (state.pos !== bytes.length) throw new MalformedError(layer, `${bytes.length - state.pos} trailing byte(s) after the CBOR item`);
  return value;
}

function need(s, n) {
  if (s.pos + n > s.bytes.length) throw new MalformedError(s.layer, "not valid CBOR (truncated item)");
}

function readArgument(s, info) {
  if (info < 24) return info;
  if (info === 24) { need(s, 1); return s.view.getUint8(s.pos++); }
  if (info === 25) { need(s, 2); const v = s.view.getUint16(s.pos); s.pos += 2; return v; }
  if (info === 26) { need(s, 4); const v = s.view.getUint32(s.pos); s.pos += 4; return v; }
  if (info === 27) {
    need(s, 8);
    const hi = s.view.getUint32(s.pos), lo = s.view.getUint32(s.pos + 4);
    s.pos += 8;
    const v = hi * 4294967296 + lo;
    if (!Number.isSafeInteger(v)) throw new MalformedError(s.layer, "not valid CBOR (integer beyond 2^53)");
    return v;
  }
  throw new MalformedError(s.layer, `not valid CBOR (additional information ${info} unsupported: indefinite or reserved)`);
}

function readItem(s, depth) {
  if (depth > 32) throw new MalformedError(s.layer, "not valid CBOR (nested too deeply)");
  need(s, 1);
  const initial = s.view.getUint8(s.pos++);
  const major = initial >> 5, info = initial & 31;
  if (major === 7) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info === 25) { need(s, 2); const h = s.view.getUint16(s.pos); s.pos += 2; return halfToFloat(h); }
    if (info === 26) { need(s, 4); const v = s.view.getFloat32(s.pos); s.pos += 4; return v; }
    if (info === 27) { need(s, 8); const v = s.view.getFloat64(s.pos); s.pos += 8; return v; }
    throw new MalformedError(s.layer, `not valid CBOR (simple value ${info} unsupported)`);
  }
  const arg = readArgument(s, info);
  switch (major) {
    case 0: return arg;
    case 1: return -1 - arg;
    case 2: { need(s, arg); const v = s.bytes.slice(s.pos, s.pos + arg); s.pos += arg; return v; }
    case 3: {
      need(s, arg);
      let v;
      try { v = utf8.decode(s.bytes.subarray(s.pos, s.pos + arg)); } catch { throw new MalformedError(s.layer, "not valid CBOR (text is not UTF-8)"); }
      s.pos += arg;
      return v;
    }
    case 4: {
      if (arg > s.bytes.length - s.pos) throw new MalformedError(s.layer, "not valid CBOR (array longer than the data)");
      const a = [];
      for (let i = 0; i < arg; i++) a.push(readItem(s, depth + 1));
      return a;
    }
    case 5: {
      if (arg * 2 > s.bytes.length - s.pos) throw new MalformedError(s.layer, "not valid CBOR (map longer than the data)");
      const m = new Map();
      for (let i = 0; i < arg; i++) {
        const k = readItem(s, depth + 1);
        m.set(k, readItem(s, depth + 1));
      }
      return m;
    }
    default: return new Tagged(arg, readItem(s, depth + 1));
  }
}

function halfToFloat(h) {
  const exp = (h >> 10) & 0x1f, mant = h & 0x3ff, sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

function cborHead(major, length) {
  if (length < 24) return [(major << 5) | length];
  if (length < 0x100) return [(major << 5) | 24, length];
  if (length < 0x10000) return [(major << 5) | 25, length >> 8, length & 0xff];
  return [(major << 5) | 26, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
}

// Sig_structure = ["Signature1", body_protected, external_aad, payload] (RFC 9052 §4.4), CBOR-encoded.
export function sigStructure(protectedBytes, payload, externalAad = new Uint8Array(0)) {
  const context = new TextEncoder().encode("Signature1");
  const parts = [
    Uint8Array.of(0x84), Uint8Array.from(cborHead(3, context.length)), context,
    Uint8Array.from(cborHead(2, protectedBytes.length)), protectedBytes,
    Uint8Array.from(cborHead(2, externalAad.length)), externalAad,
    Uint8Array.from(cborHead(2, payload.length)), payload,
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// ------------------------------------------------------------------------------------------------ COSE
export function parseSign1(bytes) {
  let item = decodeCbor(bytes, "cbor");
  if (item instanceof Tagged && item.tag === 61) item = item.value; // CWT tag, RFC 8392 §6
  if (item instanceof Tagged) {
    if (item.tag !== 18) throw new MalformedError("cose", `CBOR tag ${item.tag} is not COSE_Sign1 (18)`);
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) throw new MalformedError("cose", "COSE_Sign1 must be an array of 4");
  const [protectedBytes, unprotected, payload, signature] = item;
  if (!(protectedBytes instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new MalformedError("cose", "protected header, payload and signature must be byte strings");
  }
  if (!(unprotected instanceof Map)) throw new MalformedError("cose", "the unprotected header must be a map");
  const header = protectedBytes.length ? decodeCbor(protectedBytes, "cose") : new Map();
  if (!(header instanceof Map)) throw new MalformedError("cose", "the protected header must encode a map");
  const alg = header.get(1), kid = header.get(4);
  if (!Number.isInteger(alg)) throw new MalformedError("cose", "the protected header has no integer alg (1)");
  if (!(kid instanceof Uint8Array)) throw new MalformedError("cose", "the protected header has no byte-string kid (4)");
  return { protectedBytes, alg, kid, payload, signature };
}

// ---------------------------------------------------------------------------------------------- helpers
export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function b64uDecode(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function b64uEncode(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// ------------------------------------------------------------------------------------------------- keys
async function importKey(jwk) {
  const kid = b64uDecode(jwk.kid);
  if (jwk.kty === "EC" && jwk.crv === "P-256") {
    const cryptoKey = await crypto.subtle.importKey(
      "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    return { kid, kidHex: hex(kid), alg: ALG_ES256, issuer: jwk.iss, cryptoKey, jwkText: `${jwk.x}.${jwk.y}` };
  }
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    const cryptoKey = await crypto.subtle.importKey("raw", b64uDecode(jwk.x), { name: "Ed25519" }, false, ["verify"]);
    return { kid, kidHex: hex(kid), alg: ALG_EDDSA, issuer: jwk.iss, cryptoKey, jwkText: jwk.x };
  }
  throw new Error(`unsupported key kty=${jwk.kty} crv=${jwk.crv}`);
}

// A KeyStore is a Map from key id (hex) to the LIST of keys {kid, alg, issuer, cryptoKey} with that id: a
// key id is a truncated hash, so two keys may share one, and a verifier tries every key with the kid (the
// EU DCC rule; pingan.codes.keys.KeyStore does the same). `keyCount` is the number of keys. Keys a browser
// cannot import (e.g. Ed25519 on an old browser) are skipped and listed in `skipped`, so codes they signed
// read as "unknown_key" rather than breaking the page.
export async function keyStoreFromJwks(jwks) {
  const store = new Map();
  store.skipped = [];
  store.keyCount = 0;
  for (const jwk of jwks.keys || []) {
    try {
      const key = await importKey(jwk);
      const sameKid = store.get(key.kidHex) || [];
      if (!sameKid.some((k) => k.alg === key.alg && k.jwkText === key.jwkText)) {
        sameKid.push(key);
        store.keyCount += 1;
      }
      store.set(key.kidHex, sameKid);
    } catch (e) {
      store.skipped.push({ kid: jwk.kid, error: String(e) });
    }
  }
  return store;
}

// The same from a COSE_KeySet (RFC 9052 §7), as served in application/cose-key-set.
export async function keyStoreFromCoseKeySet(bytes) {
  const keys = decodeCbor(bytes, "cbor");
  if (!Array.isArray(keys)) throw new Error("COSE_KeySet must be a CBOR array");
  const jwks = { keys: [] };
  for (const k of keys) {
    const base = { kid: b64uEncode(k.get(2)), iss: k.get("iss") };
    if (k.get(1) === 2 && k.get(-1) === 1) jwks.keys.push({ ...base, kty: "EC", crv: "P-256", x: b64uEncode(k.get(-2)), y: b64uEncode(k.get(-3)) });
    else if (k.get(1) === 1 && k.get(-1) === 6) jwks.keys.push({ ...base, kty: "OKP", crv: "Ed25519", x: b64uEncode(k.get(-2)) });
  }
  return keyStoreFromJwks(jwks);
}

// The key among those with the message's kid whose signature verifies: {key} or {error: status, reason}.
async function signingKey(keyStore, message, aad) {
  const kid = hex(message.kid);
  const keys = keyStore.get(kid) || [];
  if (!keys.length) return { error: "unknown_key", reason: `key id ${kid} is not a trusted key` };
  const usable = keys.filter((k) => k.alg === message.alg);
  if (!usable.length) return { error: "bad_signature", reason: `header alg ${message.alg} does not match key ${kid}` };
  for (const key of usable) {
    if (await checkSignature(key, message, aad)) return { key };
  }
  const tried = usable.length > 1 ? ` (tried the ${usable.length} keys with that id)` : "";
  return { error: "bad_signature", reason: `the signature does not verify with key ${kid}${tried}` };
}

async function checkSignature(key, message, aad) {
  const data = sigStructure(message.protectedBytes, message.payload, aad);
  try {
    if (key.alg === ALG_ES256) {
      // COSE and Web Crypto both use the raw 64-byte r||s form for ECDSA (RFC 9053 §2.1).
      return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key.cryptoKey, message.signature, data);
    }
    return await crypto.subtle.verify({ name: "Ed25519" }, key.cryptoKey, message.signature, data);
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------------------ revocation
// Verify a fetched revocation list (bytes) against a KeyStore; returns
// {issuer, serial, issuedAt, nextUpdate, entries: Map(codeIdHex → {reason, codeExpiresAt})} or throws.
export async function verifyRevocationList(bytes, keyStore) {
  const message = parseSign1(bytes);
  const found = await signingKey(keyStore, message, REVOCATION_AAD);
  if (found.error === "unknown_key") throw new Error(`revocation list signed by unknown key ${hex(message.kid)}`);
  if (found.error) throw new Error(`revocation list signature does not verify with key ${hex(message.kid)}`);
  const key = found.key;
  const body = decodeCbor(message.payload, "cwt");
  if (!(body instanceof Map) || body.get(1) !== key.issuer) throw new Error("revocation list issuer does not match its key");
  const entries = new Map();
  for (const [codeId, reason, expires] of body.get(-65539) || []) {
    entries.set(hex(codeId), { reason: REASONS[reason] || `reason ${reason}`, codeExpiresAt: expires });
  }
  return { issuer: body.get(1), serial: body.get(-65538), issuedAt: body.get(6), nextUpdate: body.get(4), entries };
}

// A RevocationSet keeps the newest list per issuer (highest serial).
export class RevocationSet {
  constructor() { this.lists = new Map(); }
  add(list) {
    const current = this.lists.get(list.issuer);
    if (current && current.serial >= list.serial) return false;
    this.lists.set(list.issuer, list);
    return true;
  }
  lookup(issuer, codeIdHex) {
    const list = this.lists.get(issuer);
    return list ? list.entries.get(codeIdHex) || null : null;
  }
}

// -------------------------------------------------------------------------------------------- verify
function claim(map, key, type, name) {
  if (!(map instanceof Map) || !map.has(key)) throw new MalformedError("cwt", `claim ${name} is missing`);
  const v = map.get(key);
  const ok = type === "int" ? Number.isInteger(v) : type === "bytes" ? v instanceof Uint8Array
    : type === "map" ? v instanceof Map : typeof v === type;
  if (!ok) throw new MalformedError("cwt", `claim ${name} has the wrong type`);
  return v;
}

// The issuer is not a claim: it is the owner of the key that verified the signature.
export function parseClaims(claims, issuer) {
  if (!(claims instanceof Map)) throw new MalformedError("cwt", "the COSE payload is not a CBOR map of CWT claims");
  if (!claims.has(PREMISES_CLAIM)) throw new MalformedError("cwt", "claim premises claim -65537 is missing");
  const p = claims.get(PREMISES_CLAIM);
  if (!Array.isArray(p)) throw new MalformedError("cwt", "claim premises claim -65537 has the wrong type");
  if (p.length !== 5) throw new MalformedError("cwt", `premises claim -65537 must be an array of 5, got ${p.length} items`);
  p.forEach((v, i) => {
    if (!(i === 1 ? v instanceof Uint8Array : Number.isInteger(v) && v >= 0)) {
      throw new MalformedError("cwt", `premises claim item ${i} (${PREMISES_FIELDS[i]}) has the wrong type`);
    }
  });
  if (!LEVELS[p[2]]) throw new MalformedError("cwt", `unknown level code ${p[2]}`);
  let premisesName;
  try { premisesName = gb18030.decode(p[1]); } catch { throw new MalformedError("cwt", "the premises name is not valid GB 18030"); }
  const code = {
    codeId: hex(claim(claims, 7, "bytes", "cti (7)")),
    issuer,
    issuedAt: claim(claims, 6, "int", "iat (6)"),
    expiresAt: claim(claims, 4, "int", "exp (4)"),
    premisesId: p[0],
    premisesName,
    level: LEVELS[p[2]],
    rulesetVersion: p[3],
    people: p[4],
  };
  if (code.expiresAt <= code.issuedAt) throw new MalformedError("cwt", "exp must be after iat");
  return code;
}

const iso = (seconds) => new Date(seconds * 1000).toISOString().replace(".000Z", "+00:00");

// verify(text, keyStore, revocations, now) → {status, reason, layer, code, kid}
//   status: valid | malformed | unknown_key | bad_signature | revoked | not_yet_valid | expired
//   now: a Date or NumericDate seconds (default: the device clock); leewaySeconds: allowed clock skew.
export async function verify(text, keyStore, revocations = null, now = new Date(), leewaySeconds = 0) {
  const nowSeconds = Math.floor(now instanceof Date ? now.getTime() / 1000 : now);
  const result = (status, reason, extra = {}) => ({ status, reason, layer: null, code: null, kid: null, revocation: null, ...extra });
  let message;
  try {
    // Never trim trailing spaces: " " is a base45 digit (value 36).
    text = String(text).trimStart().replace(/[\r\n\t]+$/, "");
    let bytes;
    if (isUrlForm(text)) bytes = urlFormBytes(text);  // a door QR: the verification link, code in the fragment
    else if (!text.startsWith(PREFIX)) throw new MalformedError("prefix", `the code does not start with "${PREFIX}" and is not a verification link`);
    else bytes = base45Decode(text.slice(PREFIX.length));
    // zlib only when it made the code shorter: a zlib stream starts with 0x78, a COSE_Sign1 never does.
    if (bytes.length > MAX_TOKEN_BYTES) throw new MalformedError("cbor", `the code is longer than ${MAX_TOKEN_BYTES} bytes`);
    const cose = bytes.length && bytes[0] === ZLIB_FIRST_BYTE ? await inflate(bytes) : bytes;
    message = parseSign1(cose);
  } catch (e) {
    if (e instanceof MalformedError) return result("malformed", e.detail, { layer: e.layer });
    throw e;
  }
  const kid = hex(message.kid);
  const found = await signingKey(keyStore, message);
  if (found.error) return result(found.error, found.reason, { kid });
  const key = found.key;
  let code;
  try {
    code = parseClaims(decodeCbor(message.payload, "cwt"), key.issuer);
  } catch (e) {
    if (e instanceof MalformedError) return result("malformed", e.detail, { layer: e.layer, kid });
    throw e;
  }
  const entry = revocations ? revocations.lookup(code.issuer, code.codeId) : null;
  // An entry is in force until its own expiry (the revoked code's exp it carries): a list cached for days
  // holds entries that have lapsed since, and those no longer mark a code revoked (as in Python's verify).
  const revocation = entry && nowSeconds - leewaySeconds < entry.codeExpiresAt ? entry : null;
  if (revocation) return result("revoked", `code ${code.codeId} was revoked (${revocation.reason})`, { code, kid, revocation });
  if (nowSeconds + leewaySeconds < code.issuedAt) return result("not_yet_valid", `valid from ${iso(code.issuedAt)}`, { code, kid });
  if (nowSeconds - leewaySeconds >= code.expiresAt) return result("expired", `expired at ${iso(code.expiresAt)}`, { code, kid });
  return result("valid", `valid until ${iso(code.expiresAt)}`, { code, kid });
}

// ----------------------------------------------------------------------------------------- offline cache
// Cache the published key set (JWKS JSON) and the raw signed revocation lists in a Storage (localStorage),
// so that a page loaded once can verify with the network cut. Lists are re-verified when loaded.
const CACHE_KEY = "pingan.codes.cache.v1";

export function saveCache(storage, jwks, revocationListBytes) {
  const lists = revocationListBytes.map((b) => b64uEncode(b));
  storage.setItem(CACHE_KEY, JSON.stringify({ jwks, lists, savedAt: Math.floor(Date.now() / 1000) }));
}

export async function loadCache(storage) {
  const raw = storage.getItem(CACHE_KEY);
  if (!raw) return null;
  const { jwks, lists, savedAt } = JSON.parse(raw);
  const keyStore = await keyStoreFromJwks(jwks);
  const revocations = new RevocationSet();
  for (const encoded of lists) revocations.add(await verifyRevocationList(b64uDecode(encoded), keyStore));
  return { keyStore, revocations, savedAt };
}

// Fetch keys and lists, verify them, cache them; fall back to the cache when offline.
export async function loadTrust(storage, jwksUrl, revocationUrls = []) {
  try {
    const jwks = await (await fetch(jwksUrl, { cache: "no-cache" })).json();
    const keyStore = await keyStoreFromJwks(jwks);
    const revocations = new RevocationSet();
    const raw = [];
    for (const url of revocationUrls) {
      const bytes = new Uint8Array(await (await fetch(url, { cache: "no-cache" })).arrayBuffer());
      revocations.add(await verifyRevocationList(bytes, keyStore));
      raw.push(bytes);
    }
    saveCache(storage, jwks, raw);
    return { keyStore, revocations, savedAt: Math.floor(Date.now() / 1000), fromCache: false };
  } catch (e) {
    const cached = await loadCache(storage);
    if (!cached) throw new Error(`cannot fetch keys and nothing is cached (${e})`);
    return { ...cached, fromCache: true };
  }
}
