import { afterEach, describe, expect, it } from "vitest";
import { HealthServer } from "../../../src/runtime/health.js";

let server: HealthServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts a server on a free local port and returns a function that GETs a path from it. */
async function startServer(configure: (server: HealthServer) => void = () => {}) {
  server = new HealthServer({ checkTimeoutMs: 200 });
  configure(server);
  const port = await server.start(0, "127.0.0.1");
  const get = async (path: string, method = "GET") => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    return {
      status: response.status,
      body: await response.text(),
      type: response.headers.get("content-type"),
    };
  };
  return { port, get };
}

describe("HealthServer", () => {
  it("binds a free port when asked for port 0", async () => {
    const { port } = await startServer();
    expect(port).toBeGreaterThan(0);
  });

  it("answers /healthz and /readyz with 200 when every check passes", async () => {
    const { get } = await startServer((s) => {
      s.addLivenessCheck("event-loop", () => true);
      s.addReadinessCheck("caches-synced", async () => true);
    });
    expect(await get("/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect(await get("/readyz")).toMatchObject({ status: 200, body: "ok\n" });
  });

  it("answers /readyz with 503 naming the failing checks", async () => {
    let synced = false;
    const { get } = await startServer((s) => {
      s.addReadinessCheck("caches-synced", () => synced);
      s.addReadinessCheck("leader-known", () => true);
      s.addReadinessCheck("api-reachable", () => {
        throw new Error("connect ECONNREFUSED");
      });
    });
    const notReady = await get("/readyz");
    expect(notReady.status).toBe(503);
    expect(notReady.body).toContain("[-]caches-synced failed");
    expect(notReady.body).toContain("[+]leader-known ok");
    expect(notReady.body).toContain("[-]api-reachable failed: connect ECONNREFUSED");
    expect(notReady.body).toContain("readiness check failed: caches-synced, api-reachable");

    synced = true;
    expect((await get("/readyz")).status).toBe(503);
  });

  it("fails a check that does not answer in time", async () => {
    const { get } = await startServer((s) => {
      s.addReadinessCheck("hangs", () => new Promise<boolean>(() => {}));
    });
    const response = await get("/readyz");
    expect(response.status).toBe(503);
    expect(response.body).toContain("[-]hangs failed: timed out after 200 ms");
  });

  it("keeps /healthz passing while readiness fails: not ready is no reason to restart", async () => {
    const { get } = await startServer((s) => s.addReadinessCheck("caches-synced", () => false));
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/readyz")).status).toBe(503);
  });

  it("never serves /metrics: that is the metrics server's, authenticated", async () => {
    const { get } = await startServer();
    expect((await get("/metrics")).status).toBe(404);
  });

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    const { get } = await startServer();
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/healthz", "POST")).status).toBe(405);
  });

  it("closes even while a client holds a keep-alive connection", async () => {
    const { get } = await startServer();
    await get("/healthz");
    await server?.close();
    server = undefined;
    await expect(get("/healthz")).rejects.toThrow();
  });
});
