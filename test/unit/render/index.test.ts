import { describe, expect, it } from "vitest";
import { renderChildren } from "../../../src/render/index.js";
import { aGroup, SECRETS, settings, theContractExample } from "../fixtures.js";

describe("renderChildren", () => {
  it("renders every child of the contract's example", () => {
    const children = renderChildren(theContractExample(), settings(), {
      registryPasswords: { "other.example.net": SECRETS.resolvedRegistryPassword },
    });
    expect(children.pod?.metadata?.name).toBe("hello");
    expect(children.service?.spec?.type).toBe("LoadBalancer");
    expect(children.secrets).toHaveLength(4);
    expect(children.pvcs.map((c) => c.metadata?.name)).toEqual(["hello-share", "hello-data"]);
    expect(children.pvs).toHaveLength(1);
    expect(children.networkPolicy?.kind).toBe("NetworkPolicy");
  });

  it("renders no Pod for a stopped group but keeps its Service, Secrets and volumes", () => {
    const stopped = theContractExample();
    stopped.spec.stopped = true;
    const children = renderChildren(stopped, settings());
    expect(children.pod).toBeUndefined();
    expect(children.service).toBeDefined();
    expect(children.secrets.length).toBeGreaterThan(0);
    expect(children.pvcs.length).toBe(2);
  });

  it("renders only a Pod and a NetworkPolicy for a plain group", () => {
    const children = renderChildren(aGroup(), settings());
    expect(children.pod).toBeDefined();
    expect(children.service).toBeUndefined();
    expect(children.secrets).toEqual([]);
    expect(children.networkPolicy).toBeDefined();
  });

  it("keeps every secure value inside the Secrets and out of every other child", () => {
    const { secrets, ...others } = renderChildren(theContractExample(), settings(), {
      registryPasswords: { "other.example.net": SECRETS.resolvedRegistryPassword },
    });
    const json = JSON.stringify(others);
    for (const value of Object.values(SECRETS)) expect(json).not.toContain(value);
    expect(secrets.length).toBe(4);
  });
});
