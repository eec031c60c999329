import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../../src/runtime/self-signed-certificate.js";

describe("selfSignedCertificate", () => {
  const now = new Date("2026-12-02T00:00:00Z");
  const pair = selfSignedCertificate({
    commonName: "container-instances-operator",
    hosts: ["localhost", "127.0.0.1", "::1", "cio-metrics.ops.svc"],
    now,
  });
  const cert = new X509Certificate(pair.cert);

  it("is a server certificate for exactly the names asked, signed by its own key", () => {
    expect(cert.subject).toBe("CN=container-instances-operator");
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:cio-metrics.ops.svc",
    );
    expect(cert.checkHost("cio-metrics.ops.svc")).toBe("cio-metrics.ops.svc");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkHost("example.com")).toBeUndefined();
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(cert.ca).toBe(false);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
  });

  it("is valid from a minute before now for a year", () => {
    expect(new Date(cert.validFrom).toISOString()).toBe("2026-12-01T23:59:00.000Z");
    expect(new Date(cert.validTo).toISOString()).toBe("2027-12-02T00:00:00.000Z");
  });

  it("gets a new key and serial every time", () => {
    const other = new X509Certificate(selfSignedCertificate({ commonName: "x", hosts: ["localhost"] }).cert);
    expect(other.serialNumber).not.toBe(cert.serialNumber);
    expect(other.fingerprint256).not.toBe(cert.fingerprint256);
  });
});
