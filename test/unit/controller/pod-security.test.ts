import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  resolvePodSecurity,
  SLOW_RETRY_BASE_MS,
  SLOW_RETRY_MAX_MS,
  SlowRetries,
  slowRetryDelayMs,
} from "../../../src/controller/pod-security.js";
import { podProblemOf } from "../../../src/controller/pods.js";
import { transitionEvents } from "../../../src/controller/transitions.js";
import { computeStatus } from "../../../src/status/index.js";
import { aGroup, at, settings } from "../fixtures.js";

function refusal(code: number, message: string): ApiException<string> {
  return new ApiException(code, message, JSON.stringify({ kind: "Status", code, message }), {});
}

// As the local plane's API server (v1.37) words it for a root Pod in an enforce=restricted namespace.
const VIOLATION =
  'pods "root" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false ' +
  '(container "root" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities ' +
  '(container "root" must set securityContext.capabilities.drop=["ALL"])';

describe("resolvePodSecurity", () => {
  it.each([
    ["auto", "restricted", "restricted"],
    ["auto", "baseline", "off"],
    ["auto", "privileged", "off"],
    ["auto", undefined, "off"],
    ["restricted", undefined, "restricted"],
    ["restricted", "privileged", "restricted"],
    ["off", "restricted", "off"],
  ] as const)("mode %s with enforce label %s renders %s", (mode, level, want) => {
    expect(resolvePodSecurity(mode, level)).toBe(want);
  });
});

describe("the slow retry of a refused Pod", () => {
  it("starts at 30 s and doubles up to 10 minutes", () => {
    expect(slowRetryDelayMs(1)).toBe(SLOW_RETRY_BASE_MS);
    expect(slowRetryDelayMs(2)).toBe(2 * SLOW_RETRY_BASE_MS);
    expect(slowRetryDelayMs(5)).toBe(16 * SLOW_RETRY_BASE_MS);
    expect(slowRetryDelayMs(6)).toBe(SLOW_RETRY_MAX_MS);
    expect(slowRetryDelayMs(60)).toBe(SLOW_RETRY_MAX_MS);
  });

  it("counts per group and generation; a new generation or forget starts again", () => {
    const retries = new SlowRetries();
    expect(retries.next("ns/a", 1)).toBe(30_000);
    expect(retries.next("ns/a", 1)).toBe(60_000);
    expect(retries.next("ns/b", 1)).toBe(30_000);
    expect(retries.next("ns/a", 2)).toBe(30_000);
    retries.next("ns/a", 2);
    retries.forget("ns/a");
    expect(retries.next("ns/a", 2)).toBe(30_000);
  });
});

describe("podProblemOf: Pod Security admission", () => {
  it("turns a PodSecurity refusal into PodSecurityViolation with the API server's words, retried slowly", () => {
    const problem = podProblemOf(refusal(403, VIOLATION));
    expect(problem?.reason).toBe("PodSecurityViolation");
    expect(problem?.message).toContain(VIOLATION);
    expect(problem?.message).toContain("pod-security.kubernetes.io/enforce");
    expect(problem?.slowRetry).toBe(true);
  });

  it("leaves other refusals on the fast backoff", () => {
    const quota = podProblemOf(refusal(403, 'pods "g" is forbidden: exceeded quota: q, requested: cpu=2'));
    expect(quota?.reason).toBe("QuotaExceeded");
    expect(quota?.slowRetry).toBeUndefined();
    const rejected = podProblemOf(
      refusal(422, 'Pod "g" is invalid: spec.containers[0].image: Required value'),
    );
    expect(rejected?.reason).toBe("PodRejected");
    expect(rejected?.slowRetry).toBeUndefined();
  });

  it("makes Ready False with PodSecurityViolation and one Warning Event, none on the next identical status", () => {
    const problem = podProblemOf(refusal(403, VIOLATION));
    if (!problem) throw new Error("no problem");
    const group = aGroup();
    const now = at("2026-05-01T09:00:05Z");
    const status = computeStatus({
      group,
      pod: undefined,
      service: undefined,
      now,
      settings: settings(),
      problems: [problem],
    });
    const ready = status.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({ status: "False", reason: "PodSecurityViolation" });
    expect(ready?.message).toContain('violates PodSecurity "restricted:latest"');
    const events = transitionEvents(group.status, status);
    expect(events.filter((e) => e.reason === "PodSecurityViolation")).toEqual([
      expect.objectContaining({ type: "Warning", note: ready?.message }),
    ]);
    expect(transitionEvents(status, status)).toEqual([]);
  });
});
