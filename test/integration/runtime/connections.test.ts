// Why src/runtime/keep-alive.ts exists, shown against the API server: client-node opens a new
// connection (TCP and a full TLS handshake) for every request, and KubeClient does not. Counted
// from undici's own diagnostics channel, which fires once per connection made.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/runtime/apply.js";
import { loadKubeConfig } from "../harness.js";

const REQUESTS = 10;
const CONNECTED = "undici:client:connected";

describe("connections to the API server", () => {
  let connections = 0;
  const count = (): void => {
    connections++;
  };
  beforeEach(() => {
    connections = 0;
    subscribe(CONNECTED, count);
  });
  afterEach(() => {
    unsubscribe(CONNECTED, count);
  });

  it("client-node alone opens one per request (the problem keep-alive.ts works around)", async () => {
    const api = loadKubeConfig().makeApiClient(CoreV1Api);
    for (let i = 0; i < REQUESTS; i++) await api.listNamespace({ limit: 1 });
    expect(connections).toBe(REQUESTS);
  });

  it("KubeClient reuses one for sequential requests", async () => {
    const client = new KubeClient(loadKubeConfig());
    for (let i = 0; i < REQUESTS; i++) await client.getPath("/api/v1/namespaces", { limit: 1 });
    expect(connections).toBe(1);
  });
});
