import { Agent } from "node:https";
import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { keepAliveAuthentication } from "../../../src/runtime/keep-alive.js";

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:6443", skipTLSVerify: true }],
    users: [{ name: "u", token: "t0ken" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

describe("keepAliveAuthentication", () => {
  it("gives every request the same keep-alive agent, with the kubeconfig's credentials and TLS options", async () => {
    const auth = keepAliveAuthentication(kubeConfig());
    const first = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
    const second = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
    await auth.applySecurityAuthentication(first);
    await auth.applySecurityAuthentication(second);
    const agent = first.getAgent();
    expect(agent).toBeInstanceOf(Agent);
    expect(second.getAgent()).toBe(agent);
    expect((agent as Agent).options.keepAlive).toBe(true);
    expect((agent as Agent).options.rejectUnauthorized).toBe(false);
    expect(second.getHeaders().Authorization).toBe("Bearer t0ken");
  });
});
