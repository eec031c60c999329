import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { keepAliveAuthentication } from "../../../src/runtime/keep-alive.js";

function kubeConfig(cluster: { proxyUrl?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:6443", skipTLSVerify: true, ...cluster }],
    users: [{ name: "u", token: "t0ken" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

async function twoRequests(kc: KubeConfig): Promise<[RequestContext, RequestContext]> {
  const auth = keepAliveAuthentication(kc);
  const first = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
  const second = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
  await auth.applySecurityAuthentication(first);
  await auth.applySecurityAuthentication(second);
  return [first, second];
}

describe("keepAliveAuthentication", () => {
  it("gives every request the same dispatcher, with the kubeconfig's credentials on each", async () => {
    const [first, second] = await twoRequests(kubeConfig());
    expect(first.getDispatcher()).toBeDefined();
    expect(second.getDispatcher()).toBe(first.getDispatcher());
    expect(first.getHeaders().Authorization).toBe("Bearer t0ken");
    expect(second.getHeaders().Authorization).toBe("Bearer t0ken");
  });

  it("leaves a proxied cluster's dispatcher to client-node", async () => {
    const [first, second] = await twoRequests(kubeConfig({ proxyUrl: "http://127.0.0.1:3128" }));
    expect(second.getDispatcher()).not.toBe(first.getDispatcher());
  });
});
