// /metrics on its own port, as kubebuilder's secure metrics serve it: HTTPS (TLS 1.2 or newer,
// HTTP/1.1 only: no HTTP/2 and so no rapid-reset exposure, CVE-2023-44487), every request
// authenticated and authorized (metrics-auth.ts). The certificate comes from a directory holding
// tls.crt and tls.key (a mounted Secret, which the kubelet updates by swapping a symlink), reloaded
// in place when its files change; without one, a self-signed certificate made at start.
// Plain HTTP without authentication is there only when a setting asks for it.
import { createHash } from "node:crypto";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import type { Registry } from "prom-client";
import { closeNow, listen, respond } from "./http-server.js";
import type { MetricsAccess } from "./metrics-auth.js";
import { type PemKeyPair, selfSignedCertificate } from "./self-signed-certificate.js";

export interface MetricsServerOptions {
  registry: Registry;
  /** Authenticate and authorize every request; undefined only with `secure: false`. */
  access?: MetricsAccess;
  /** false: plain HTTP, no authentication (an explicit setting). */
  secure: boolean;
  /** Directory with tls.crt and tls.key; empty: self-signed. */
  certDir?: string;
  /** Names of the self-signed certificate. */
  selfSignedHosts?: readonly string[];
  /** How often the certificate files are also polled, besides the file watch. Default 10 s. */
  certPollMs?: number;
  onCertificateReloaded?: (fingerprint: string) => void;
  onCertificateError?: (message: string) => void;
}

const FILES = { cert: "tls.crt", key: "tls.key" } as const;

export class MetricsServer {
  private server: Server | HttpsServer | undefined;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private loadedDigest = "";

  constructor(private readonly options: MetricsServerOptions) {
    if (options.secure && !options.access) throw new Error("secure metrics need an access check");
  }

  /** Listens on `port` (0 picks a free one) and resolves with the port bound. */
  async start(port: number, host = "0.0.0.0"): Promise<number> {
    if (this.server) throw new Error("metrics server already started");
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) respond(response, 500, `internal error: ${String(error)}\n`);
        else response.destroy();
      });
    };
    if (this.options.secure) {
      const pair = this.readCertificate() ?? this.selfSigned();
      this.loadedDigest = digest(pair);
      this.server = createHttpsServer(
        { ...pair, minVersion: "TLSv1.2", ALPNProtocols: ["http/1.1"] },
        handler,
      );
      this.watchCertificate();
    } else {
      this.server = createHttpServer(handler);
    }
    const server = this.server;
    return listen(server, port, host);
  }

  close(): Promise<void> {
    this.watcher?.close();
    clearInterval(this.poll);
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return closeNow(server);
  }

  /** Reads the mounted pair; undefined when no directory is set. A bad pair throws at start. */
  private readCertificate(): PemKeyPair | undefined {
    const dir = this.options.certDir;
    if (!dir) return undefined;
    const pair = {
      cert: readFileSync(join(dir, FILES.cert), "utf8"),
      key: readFileSync(join(dir, FILES.key), "utf8"),
    };
    createSecureContext(pair); // throws on a key that does not match, or garbage
    return pair;
  }

  private selfSigned(): PemKeyPair {
    return selfSignedCertificate({
      commonName: "container-instances-operator",
      hosts: this.options.selfSignedHosts ?? ["localhost", "127.0.0.1"],
    });
  }

  /**
   * A file watch notices the kubelet's symlink swap at once; the poll catches what a watch misses
   * (some filesystems, a directory replaced under the watch). Both land in `reload`, which swaps
   * only a pair that differs and parses.
   */
  private watchCertificate(): void {
    const dir = this.options.certDir;
    if (!dir) return;
    try {
      this.watcher = watch(dir, () => this.reload());
      this.watcher.on("error", () => undefined);
    } catch {
      // the poll alone
    }
    this.poll = setInterval(() => this.reload(), this.options.certPollMs ?? 10_000);
    this.poll.unref();
  }

  private reload(): void {
    const server = this.server;
    if (!server || !("setSecureContext" in server)) return;
    let pair: PemKeyPair | undefined;
    try {
      pair = this.readCertificate();
    } catch (e) {
      // Mid-rotation (a new certificate beside the old key) or a broken Secret: keep serving the
      // last good pair and say so; the next change or poll tries again.
      this.options.onCertificateError?.(e instanceof Error ? e.message : String(e));
      return;
    }
    if (!pair || digest(pair) === this.loadedDigest) return;
    server.setSecureContext({ ...pair, minVersion: "TLSv1.2" });
    this.loadedDigest = digest(pair);
    this.options.onCertificateReloaded?.(this.loadedDigest.slice(0, 16));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path !== "/metrics") {
      respond(response, 404, "not found\n");
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("Allow", "GET, HEAD");
      respond(response, 405, "method not allowed\n");
      return;
    }
    if (this.options.access) {
      const decision = await this.options.access.decide(request.headers.authorization);
      if (decision.status !== 200) {
        if (decision.status === 401) response.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
        respond(response, decision.status, `${decision.message}\n`);
        return;
      }
    }
    const registry = this.options.registry;
    respond(response, 200, await registry.metrics(), registry.contentType);
  }
}

function digest(pair: PemKeyPair): string {
  return createHash("sha256").update(pair.cert).update("\0").update(pair.key).digest("hex");
}
