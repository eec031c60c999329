import { describe, expect, it } from "vitest";
import { renderNetworkPolicy } from "../../../src/render/network-policy.js";
import { aGroup, SECRETS, settings, theContractExample } from "../fixtures.js";

describe("renderNetworkPolicy", () => {
  it("admits ingress only on the group's ipAddress ports and leaves egress alone", () => {
    const policy = renderNetworkPolicy(theContractExample(), settings());
    expect(policy?.apiVersion).toBe("networking.k8s.io/v1");
    expect(policy?.kind).toBe("NetworkPolicy");
    expect(policy?.metadata?.name).toBe("hello");
    expect(policy?.spec?.podSelector).toEqual({
      matchLabels: {
        "app.kubernetes.io/managed-by": "container-instances-operator",
        "containerinstances.dev/group": "hello",
      },
    });
    expect(policy?.spec?.policyTypes).toEqual(["Ingress"]);
    expect(policy?.spec?.ingress).toEqual([{ ports: [{ port: 80, protocol: "TCP" }] }]);
    expect(policy?.spec?.egress).toBeUndefined();
  });

  it("denies all ingress to a group without an IP address", () => {
    const policy = renderNetworkPolicy(aGroup(), settings());
    expect(policy?.spec?.policyTypes).toEqual(["Ingress"]);
    // No rules under policyTypes Ingress: nothing is admitted.
    expect(policy?.spec?.ingress).toBeUndefined();
  });

  it("renders nothing when the operator's networkPolicy setting is off", () => {
    expect(renderNetworkPolicy(theContractExample(), settings({ networkPolicy: false }))).toBeUndefined();
  });

  it("carries no secure value", () => {
    const json = JSON.stringify(renderNetworkPolicy(theContractExample(), settings()));
    for (const value of Object.values(SECRETS)) expect(json).not.toContain(value);
  });
});
