import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeNow, listen, respond } from "./http-server.js";

/**
 * The probe and metrics endpoints the kubelet and Prometheus call:
 * - `/healthz`: the process answers, and every liveness check passes. Keep liveness checks few: a
 *   failing one restarts the container.
 * - `/readyz`: every readiness check passes (caches synced, say); else 503 naming the failing checks.
 * Plain HTTP, as the kubelet probes. /metrics is served apart, authenticated (metrics-server.ts).
 */

/** A check passes when it returns true (or resolves true); false, a throw or a timeout fails it. */
export type HealthCheck = () => boolean | Promise<boolean>;

export interface HealthServerOptions {
  /** A check slower than this fails, so a hung dependency cannot hang the probe. Default 5 s. */
  checkTimeoutMs?: number;
}

interface CheckOutcome {
  name: string;
  ok: boolean;
  reason?: string;
}

export class HealthServer {
  private readonly livenessChecks = new Map<string, HealthCheck>();
  private readonly readinessChecks = new Map<string, HealthCheck>();
  private readonly checkTimeoutMs: number;
  private server: Server | undefined;

  constructor(options: HealthServerOptions = {}) {
    this.checkTimeoutMs = options.checkTimeoutMs ?? 5000;
  }

  addLivenessCheck(name: string, check: HealthCheck): void {
    this.livenessChecks.set(name, check);
  }

  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readinessChecks.set(name, check);
  }

  /** Listens on `port` (0 picks a free one) and resolves with the port actually bound. */
  start(port: number, host = "0.0.0.0"): Promise<number> {
    if (this.server !== undefined) return Promise.reject(new Error("health server already started"));
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) respond(response, 500, `internal error: ${String(error)}\n`);
        else response.destroy();
      });
    });
    this.server = server;
    return listen(server, port, host);
  }

  /** Stops listening and drops open keep-alive connections, so shutdown does not wait for clients. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return closeNow(server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("Allow", "GET, HEAD");
      respond(response, 405, "method not allowed\n");
      return;
    }
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    switch (path) {
      case "/healthz":
      case "/livez":
        await this.respondWithChecks(response, "liveness", this.livenessChecks);
        return;
      case "/readyz":
        await this.respondWithChecks(response, "readiness", this.readinessChecks);
        return;
    }
    respond(response, 404, "not found\n");
  }

  private async respondWithChecks(
    response: ServerResponse,
    kind: string,
    checks: ReadonlyMap<string, HealthCheck>,
  ): Promise<void> {
    const outcomes = await Promise.all([...checks].map(([name, check]) => this.runCheck(name, check)));
    const failed = outcomes.filter((outcome) => !outcome.ok);
    if (failed.length === 0) {
      respond(response, 200, "ok\n");
      return;
    }
    // Kubernetes' own verbose probe format: one line per check, so `curl` shows what is wrong.
    const lines = outcomes.map((outcome) =>
      outcome.ok ? `[+]${outcome.name} ok` : `[-]${outcome.name} failed: ${outcome.reason ?? "not ready"}`,
    );
    const names = failed.map((outcome) => outcome.name).join(", ");
    respond(response, 503, `${lines.join("\n")}\n${kind} check failed: ${names}\n`);
  }

  private async runCheck(name: string, check: HealthCheck): Promise<CheckOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ name, ok: false, reason: `timed out after ${this.checkTimeoutMs} ms` }),
        this.checkTimeoutMs,
      );
    });
    const run = (async (): Promise<CheckOutcome> => {
      try {
        return (await check()) ? { name, ok: true } : { name, ok: false };
      } catch (error) {
        return { name, ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    })();
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
