// A self-signed serving certificate made at start, for the metrics server when no certificate is
// mounted (kubebuilder's secure metrics do the same). Node.js can sign but has no X.509 builder, so
// the certificate is encoded here in DER by hand: a P-256 key, ECDSA with SHA-256, and the three
// extensions a TLS client checks (subjectAltName, keyUsage, extKeyUsage). Clients must either skip
// verification or trust this very certificate; that is the point of mounting a real one.
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";

export interface SelfSignedOptions {
  /** The subject's common name, e.g. "container-instances-operator". */
  commonName: string;
  /** DNS names and IP addresses the certificate is valid for. */
  hosts: readonly string[];
  /** How long it is valid from now; default one year. */
  validForMs?: number;
  /** "Now", for tests; default the clock. */
  now?: Date;
}

export interface PemKeyPair {
  cert: string;
  key: string;
}

export function selfSignedCertificate(options: SelfSignedOptions): PemKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = options.now ?? new Date();
  // A minute back, so a peer whose clock runs a little behind still accepts it.
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + (options.validForMs ?? 365 * 24 * 3600 * 1000));
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(options.commonName))));
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256));
  // Positive 16-byte serial: the top bit cleared so the INTEGER needs no sign byte.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;

  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    signatureAlgorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...extensions(options.hosts))),
  );
  const signature = sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" });
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  return {
    cert: pem("CERTIFICATE", der),
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  subjectAltName: "2.5.29.17",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

function extensions(hosts: readonly string[]): Buffer[] {
  const names = hosts.map((host) => {
    if (isIPv4(host)) return tagged(0x87, Buffer.from(host.split(".").map(Number)));
    if (isIPv6(host)) return tagged(0x87, ipv6Bytes(host));
    return tagged(0x82, Buffer.from(host, "ascii")); // dNSName
  });
  return [
    extension(OID.basicConstraints, true, sequence()), // not a CA
    // digitalSignature only: the ECDHE key exchange signs, it never encrypts with this key.
    extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...names)),
  ];
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [tagged(0x01, Buffer.from([0xff]))] : []), tagged(0x04, value));
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail = ""] = address.split("::");
  const part = (s: string) => (s ? s.split(":") : []);
  const left = part(head);
  const right = address.includes("::") ? part(tail) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

// DER, the few types a certificate needs.

function tagged(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const sequence = (...items: Buffer[]) => tagged(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tagged(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer) => tagged(0xa0 | n, content);
const integer = (bytes: Buffer) => tagged(0x02, bytes);
const utf8String = (s: string) => tagged(0x0c, Buffer.from(s, "utf8"));
const bitString = (bytes: Buffer, unusedBits = 0) =>
  tagged(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tagged(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  return year < 2050 ? tagged(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tagged(0x18, Buffer.from(`${iso}Z`));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
