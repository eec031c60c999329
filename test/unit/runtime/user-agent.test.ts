import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { keepAliveAuthentication } from "../../../src/runtime/keep-alive.js";
import { identifyAs, projectVersion, userAgent } from "../../../src/runtime/user-agent.js";

describe("the user agent", () => {
  it("names the program and package.json's version, as kubectl's agent does", () => {
    expect(projectVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(userAgent("container-instances-operator")).toMatch(
      /^container-instances-operator\/\d+\.\d+\.\d+ \(linux\/x64; node\/v24\./,
    );
  });

  it("goes on every request the kubeconfig authenticates, through the keep-alive pool too", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "https://127.0.0.1:6443", skipTLSVerify: true }],
      users: [{ name: "u", token: "t0ken" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    identifyAs(kc, "test-agent/1.0");
    const context = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
    await keepAliveAuthentication(kc).applySecurityAuthentication(context);
    expect(context.getHeaders()["User-Agent"]).toBe("test-agent/1.0");
    expect(context.getHeaders().Authorization).toBe("Bearer t0ken");
  });
});
