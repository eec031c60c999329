// /metrics as a security review expects it, against the real API server: HTTPS only from TLS 1.2,
// HTTP/1.1 only, and every caller's token checked by a TokenReview and a SubjectAccessReview.
// Three callers: no token (401), a ServiceAccount without the metrics-reader role (403), and one
// bound to it (200). The certificate is a mounted pair, rotated on disk while the process runs.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../../src/runtime/self-signed-certificate.js";
import { applyCrds, createNamespace, deleteNamespace, eventually, kubectl, kubectlOk } from "../harness.js";
import { type RunningOperator, startOperator } from "../operator.js";

let ns = "";
let op: RunningOperator;
let certDir = "";
const reader = () => `cio-metrics-reader-${ns}`;

/** Writes the pair the way the kubelet updates a Secret volume: new files, then one rename. */
function writePair(dir: string, hosts: string[]): string {
  const pair = selfSignedCertificate({ commonName: "metrics-test", hosts });
  const staging = mkdtempSync(join(dir, "..data-"));
  writeFileSync(join(staging, "tls.crt"), pair.cert);
  writeFileSync(join(staging, "tls.key"), pair.key);
  renameSync(join(staging, "tls.crt"), join(dir, "tls.crt.new"));
  renameSync(join(staging, "tls.key"), join(dir, "tls.key"));
  renameSync(join(dir, "tls.crt.new"), join(dir, "tls.crt"));
  rmSync(staging, { recursive: true, force: true });
  return new X509Certificate(pair.cert).fingerprint256;
}

function get(token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: op.metricsPort,
        path: "/metrics",
        rejectUnauthorized: false,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        agent: false,
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** A TLS handshake with the given limits: the served certificate, or the error. */
function handshake(options: {
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2";
  maxVersion?: "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  ALPNProtocols?: string[];
}): Promise<{
  fingerprint?: string;
  protocol?: string | null;
  alpn?: string | false | null;
  error?: string;
}> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port: op.metricsPort,
      rejectUnauthorized: false,
      // OpenSSL 3 refuses TLS 1.1 on the client side at security level 1; level 0 lets this client
      // offer it, so that a refusal can only come from the server.
      ...(options.maxVersion === "TLSv1.1" ? { ciphers: "DEFAULT:@SECLEVEL=0" } : {}),
      ...options,
    });
    socket.once("secureConnect", () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256;
      resolve({ fingerprint, protocol: socket.getProtocol(), alpn: socket.alpnProtocol });
      socket.destroy();
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve({ error: `${e.code ?? ""} ${e.message}` }));
  });
}

async function token(sa: string): Promise<string> {
  return (await kubectlOk(["create", "token", sa, "-n", ns, "--duration=1h"])).trim();
}

let firstFingerprint = "";

beforeAll(async () => {
  await applyCrds();
  ns = await createNamespace("metrics");
  certDir = mkdtempSync(join(tmpdir(), "cio-metrics-tls-"));
  firstFingerprint = writePair(certDir, ["localhost", "127.0.0.1"]);
  for (const sa of ["prometheus", "nobody"]) await kubectlOk(["create", "serviceaccount", sa, "-n", ns]);
  // The chart's metrics-reader ClusterRole, bound to one of the two.
  await kubectlOk(["apply", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: reader() },
          rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
        },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: reader() },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: reader() },
          subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: ns }],
        },
      ],
    }),
  });
  op = await startOperator({
    namespace: ns,
    // The default (secure) server, with a mounted pair (the harness's plain default overridden).
    args: ["--metrics-secure=true", `--metrics-cert-dir=${certDir}`],
  });
});

afterAll(async () => {
  await op?.stop();
  await kubectl(["delete", "clusterrolebinding,clusterrole", reader(), "--ignore-not-found"]);
  await deleteNamespace(ns);
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe("secure metrics", () => {
  it("answers 401 without a token or with a bad one, 403 to an unbound ServiceAccount, 200 to a reader", async () => {
    const none = await get();
    expect(none.status).toBe(401);
    expect((await get("not-a-token")).status).toBe(401);
    const denied = await get(await token("nobody"));
    expect(denied.status).toBe(403);
    expect(denied.body).toContain(`system:serviceaccount:${ns}:nobody`);
    const allowed = await get(await token("prometheus"));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain("controller_runtime_reconcile_total");
  });

  it("keeps the probes plain HTTP on their own port, without /metrics", async () => {
    expect((await fetch(`http://127.0.0.1:${op.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${op.port}/metrics`)).status).toBe(404);
  });

  it("refuses TLS 1.1 and HTTP/2, and speaks TLS 1.2 and 1.3", async () => {
    const old = await handshake({ minVersion: "TLSv1", maxVersion: "TLSv1.1" });
    expect(old.error, JSON.stringify(old)).toMatch(
      /protocol version|unsupported protocol|TLSV1_ALERT_PROTOCOL_VERSION/i,
    );
    expect((await handshake({ maxVersion: "TLSv1.2" })).protocol).toBe("TLSv1.2");
    expect((await handshake({ minVersion: "TLSv1.2" })).protocol).toBe("TLSv1.3");
    const h2 = await handshake({ ALPNProtocols: ["h2", "http/1.1"] });
    expect(h2.alpn).toBe("http/1.1");
  });

  it("serves a rotated certificate without a restart", async () => {
    expect((await handshake({})).fingerprint).toBe(firstFingerprint);
    const pid = op.process.pid;
    const rotated = writePair(certDir, ["localhost", "127.0.0.1", "rotated.example"]);
    await eventually("the rotated certificate served", async () =>
      (await handshake({})).fingerprint === rotated ? true : undefined,
    );
    expect(op.process.pid).toBe(pid);
    expect(op.process.exitCode).toBeNull();
    expect(op.logs()).toContain("metrics certificate reloaded");
    expect((await get(await token("prometheus"))).status).toBe(200);
  });
});
