import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiException, KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  errorMessage,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  KubeClient,
} from "../../../src/runtime/apply.js";

describe("error helpers", () => {
  const status = (code: number, message: string) =>
    new ApiException(code, "x", JSON.stringify({ kind: "Status", code, message }), {});

  it("classify API errors by HTTP status", () => {
    expect(isNotFound(status(404, "nf"))).toBe(true);
    expect(isConflict(status(409, "c"))).toBe(true);
    expect(isForbidden(status(403, "f"))).toBe(true);
    expect(isInvalid(status(422, "i"))).toBe(true);
    expect(isNotFound(new Error("x"))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });

  it("extract the API server's message from a Status body, string or parsed", () => {
    expect(errorMessage(status(404, 'configmaps "x" not found'))).toBe('configmaps "x" not found');
    expect(errorMessage(new ApiException(500, "x", { message: "parsed" }, {}))).toBe("parsed");
    expect(errorMessage(new ApiException(502, "x", "<html>bad gateway</html>", {}))).toBe(
      "<html>bad gateway</html>",
    );
    expect(errorMessage(new Error("plain"))).toBe("plain");
  });
});

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

/** A stand-in API server on loopback that records requests: this checks what goes on the wire. */
describe("KubeClient on the wire", () => {
  let server: Server;
  let client: KubeClient;
  const seen: Seen[] = [];
  const counted: Array<[string, number | string]> = [];
  let acquired = 0;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        seen.push({
          method: req.method ?? "",
          url: req.url ?? "",
          contentType: req.headers["content-type"],
          body,
        });
        res.setHeader("content-type", "application/json");
        if (req.url === "/api/v1") {
          res.end(
            JSON.stringify({
              kind: "APIResourceList",
              groupVersion: "v1",
              resources: [
                { name: "configmaps", namespaced: true, kind: "ConfigMap", verbs: [], singularName: "" },
              ],
            }),
          );
        } else if (req.url?.includes("/missing")) {
          res.statusCode = 404;
          res.end(JSON.stringify({ kind: "Status", code: 404, message: 'configmaps "missing" not found' }));
        } else {
          res.end(body || JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    client = new KubeClient(kc, {
      rateLimiter: {
        acquire: async () => {
          acquired++;
        },
      },
      metrics: { recordRestClientRequest: (m, c) => counted.push([m, c]) },
    });
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends server-side apply as application/apply-patch+yaml with the object byte for byte", async () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: "ns" },
      data: { a: "1" },
      // A field client-node's models do not know survives: its serializer would drop it.
      futureField: { kept: true },
    } as V1ConfigMap;
    const applied = await client.apply(cm, { fieldManager: "mgr" });
    const request = seen.at(-1);
    expect(request?.method).toBe("PATCH");
    expect(request?.url).toBe("/api/v1/namespaces/ns/configmaps/x?fieldManager=mgr&force=true");
    expect(request?.contentType).toBe("application/apply-patch+yaml");
    expect(JSON.parse(request?.body ?? "")).toEqual(cm);
    expect(applied).toEqual(cm);
    expect(counted.at(-1)).toEqual(["PATCH", 200]);
  });

  it("applies the status subresource at /status", async () => {
    await client.applyStatus(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "ns" } },
      { fieldManager: "mgr", force: false },
    );
    expect(seen.at(-1)?.url).toBe("/api/v1/namespaces/ns/configmaps/x/status?fieldManager=mgr&force=false");
  });

  it("deletes with a uid precondition and a propagation policy", async () => {
    await client.delete(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "ns" } },
      { uid: "u-1", propagationPolicy: "Foreground" },
    );
    const request = seen.at(-1);
    expect(request?.method).toBe("DELETE");
    expect(JSON.parse(request?.body ?? "")).toEqual({
      apiVersion: "v1",
      kind: "DeleteOptions",
      preconditions: { uid: "u-1" },
      propagationPolicy: "Foreground",
    });
  });

  it("surfaces failures as ApiException with the code, and counts them", async () => {
    const ref = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "missing", namespace: "ns" } };
    const error = await client.get(ref).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect(isNotFound(error)).toBe(true);
    expect(errorMessage(error)).toBe('configmaps "missing" not found');
    expect(counted.at(-1)).toEqual(["GET", 404]);
    expect(await client.getIfExists(ref)).toBeUndefined();
  });

  it("refuses a namespaced object without a namespace instead of guessing one", async () => {
    const error = await client
      .apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }, { fieldManager: "mgr" })
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/namespace is required/);
  });

  it("waits for the rate limiter before every call", () => {
    expect(acquired).toBe(counted.length);
  });
});
