import { describe, expect, it } from "vitest";
import type { ContainerGroupStatus } from "../../../src/api/types.js";
import { computeStatus, resourceTotals, statusEqual, statusNeedsWrite } from "../../../src/status/index.js";
import {
  aContainer,
  aGroup,
  aPod,
  aRunningPod,
  aService,
  at,
  podCondition,
  SECRETS,
  settings,
  theContractExample,
} from "../fixtures.js";

const s = settings({ dnsZone: "containers.example.net" });

describe("computeStatus", () => {
  it("describes a running public group: state, address, FQDN, containers, resources and usage", () => {
    const group = theContractExample();
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
    const status = computeStatus({
      group,
      pod,
      service: aService("LoadBalancer", "203.0.113.7"),
      now: at("2026-05-01T11:00:00Z"),
      settings: s,
    });
    expect(status.observedGeneration).toBe(1);
    expect(status.state).toBe("Running");
    expect(status.ipAddress).toEqual({
      type: "Public",
      ip: "203.0.113.7",
      fqdn: expect.stringMatching(/^hello\.[0-9a-z]{6}\.containers\.example\.net$/),
      ports: [{ port: 80, protocol: "TCP" }],
    });
    expect(status.resources).toEqual({ cpu: 1, memoryInGB: 1.5, gpuCount: 1 });
    expect(status.containers?.map((c) => c.name)).toEqual(["web"]);
    expect(status.initContainers?.map((c) => c.name)).toEqual(["migrate"]);
    expect(status.usage).toMatchObject({
      runningSeconds: 3600,
      cpuCoreSeconds: 3600,
      memoryGBSeconds: 5400,
      gpuSeconds: 3600,
    });
    expect(status.conditions?.map((c) => [c.type, c.status])).toEqual([
      ["Ready", "True"],
      ["Scheduled", "True"],
      ["NetworkReady", "True"],
      ["DNSReady", "True"],
    ]);
  });

  it("reports a stopped group as Stopped with usage frozen", () => {
    const group = aGroup(
      { stopped: true },
      {
        status: {
          usage: {
            runningSeconds: 42,
            cpuCoreSeconds: 42,
            finished: { runningSeconds: 42, cpuCoreSeconds: 42 },
          },
        },
      },
    );
    const status = computeStatus({
      group,
      pod: undefined,
      service: undefined,
      now: at("2026-05-02T00:00:00Z"),
      settings: s,
    });
    expect(status.state).toBe("Stopped");
    expect(status.usage?.runningSeconds).toBe(42);
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Ready", "False", "Stopped"],
    ]);
  });

  it("keeps lastTransitionTime across recomputations while Ready holds", () => {
    const group = aGroup();
    const pod = aRunningPod(group, "2026-05-01T10:00:00Z");
    const first = computeStatus({
      group,
      pod,
      service: undefined,
      now: at("2026-05-01T10:00:10Z"),
      settings: s,
    });
    const later = computeStatus({
      group: { ...group, status: first },
      pod,
      service: undefined,
      now: at("2026-05-01T10:30:00Z"),
      settings: s,
    });
    expect(later.conditions?.[0]?.lastTransitionTime).toBe("2026-05-01T10:00:10Z");
  });

  it("moves Ready's lastTransitionTime when the group stops being ready", () => {
    const group = aGroup();
    const first = computeStatus({
      group,
      pod: aRunningPod(group, "2026-05-01T10:00:00Z"),
      service: undefined,
      now: at("2026-05-01T10:00:10Z"),
      settings: s,
    });
    const pending = aPod(group, {
      uid: "b",
      conditions: [podCondition("PodScheduled", "False", { reason: "Unschedulable" })],
    });
    const later = computeStatus({
      group: { ...group, status: first },
      pod: pending,
      service: undefined,
      now: at("2026-05-01T10:30:00Z"),
      settings: s,
    });
    expect(later.conditions?.[0]).toMatchObject({
      status: "False",
      reason: "Unschedulable",
      lastTransitionTime: "2026-05-01T10:30:00Z",
    });
  });

  it("drops conditions that no longer apply, such as NetworkReady after the ipAddress is removed", () => {
    const exposed = theContractExample();
    const first = computeStatus({
      group: exposed,
      pod: undefined,
      service: undefined,
      now: at("2026-05-01T10:00:00Z"),
      settings: s,
    });
    expect(first.conditions?.some((c) => c.type === "NetworkReady")).toBe(true);
    const plain = aGroup({}, { status: first });
    const next = computeStatus({
      group: plain,
      pod: undefined,
      service: undefined,
      now: at("2026-05-01T10:01:00Z"),
      settings: s,
    });
    expect(next.conditions?.map((c) => c.type)).toEqual(["Ready"]);
  });

  it("turns problems the controller found into Ready=False", () => {
    const status = computeStatus({
      group: aGroup(),
      pod: undefined,
      service: undefined,
      now: at("2026-05-01T10:00:00Z"),
      settings: s,
      problems: [
        { reason: "QuotaExceeded", message: "The namespace's ResourceQuota forbids the Pod; raise it." },
      ],
    });
    expect(status.state).toBe("Pending");
    expect(status.conditions?.[0]).toMatchObject({ type: "Ready", status: "False", reason: "QuotaExceeded" });
  });

  it("never puts a secure value in the status", () => {
    const group = theContractExample();
    const status = computeStatus({
      group,
      pod: aRunningPod(group, "2026-05-01T10:00:00Z"),
      service: aService("LoadBalancer", "203.0.113.7"),
      now: at("2026-05-01T11:00:00Z"),
      settings: s,
    });
    const json = JSON.stringify(status);
    for (const value of Object.values(SECRETS)) expect(json).not.toContain(value);
  });
});

describe("resourceTotals", () => {
  it("sums requests over containers without binary noise", () => {
    const group = aGroup({
      containers: [
        aContainer({ name: "a", resources: { requests: { cpu: 0.1, memoryInGB: 0.1 } } }),
        aContainer({
          name: "b",
          resources: { requests: { cpu: 0.2, memoryInGB: 0.2, gpu: { count: 2, sku: "T4" } } },
        }),
      ],
    });
    expect(resourceTotals(group)).toEqual({ cpu: 0.3, memoryInGB: 0.3, gpuCount: 2 });
  });
});

describe("statusEqual and statusNeedsWrite", () => {
  const group = aGroup();
  const pod = aRunningPod(group, "2026-05-01T10:00:00Z", { uid: "a" });
  const at10 = computeStatus({
    group,
    pod,
    service: undefined,
    now: at("2026-05-01T10:10:00Z"),
    settings: s,
  });

  it("ignores key order and undefined members", () => {
    const reordered = JSON.parse(JSON.stringify(at10)) as ContainerGroupStatus;
    expect(statusEqual(at10, { ...reordered, ipAddress: undefined })).toBe(true);
    expect(statusEqual(at10, { ...at10, state: "Failed" })).toBe(false);
  });

  it("writes nothing when a reconcile sees nothing new", () => {
    const again = computeStatus({
      group: { ...group, status: at10 },
      pod,
      service: undefined,
      now: at("2026-05-01T10:10:00Z"),
      settings: s,
    });
    expect(statusEqual(at10, again)).toBe(true);
    expect(statusNeedsWrite(at10, again, 60)).toBe(false);
  });

  it("writes growing usage only after the interval, and other changes at once", () => {
    const withStatus = { ...group, status: at10 };
    const soon = computeStatus({
      group: withStatus,
      pod,
      service: undefined,
      now: at("2026-05-01T10:10:30Z"),
      settings: s,
    });
    expect(statusNeedsWrite(at10, soon, 60)).toBe(false);
    const late = computeStatus({
      group: withStatus,
      pod,
      service: undefined,
      now: at("2026-05-01T10:11:00Z"),
      settings: s,
    });
    expect(statusNeedsWrite(at10, late, 60)).toBe(true);
    expect(statusNeedsWrite(at10, { ...soon, state: "Failed" }, 60)).toBe(true);
  });
});
