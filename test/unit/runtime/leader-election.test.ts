import { ApiException, type CoordinationV1Api, type V1Lease } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  LeaderElector,
  type LeaderElectorOptions,
  type LeaseApi,
  parseTime,
  toMicroTime,
} from "../../../src/runtime/leader-election.js";
import { createMetrics } from "../../../src/runtime/metrics.js";

const NAMESPACE = "operator-system";
const LEASE = "operator-leader";
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * An in-memory API server for Leases: stores what went over the wire (JSON), keeps resourceVersions
 * and answers 404 and 409 like the real one. `outage` makes every call fail; `hang` never answers.
 */
class InMemoryLeases implements LeaseApi {
  private stored: V1Lease | undefined;
  private version = 0;
  outage = false;
  hang = false;
  writes = 0;

  get lease(): V1Lease | undefined {
    return this.stored === undefined ? undefined : roundTrip(this.stored);
  }

  async readNamespacedLease(): Promise<V1Lease> {
    await this.serve();
    if (this.stored === undefined) throw new ApiException(404, "not found", {}, {});
    return roundTrip(this.stored);
  }

  async createNamespacedLease({ body }: { body: V1Lease }): Promise<V1Lease> {
    await this.serve();
    if (this.stored !== undefined) throw new ApiException(409, "already exists", {}, {});
    return this.store(body);
  }

  async replaceNamespacedLease({ body }: { body: V1Lease }): Promise<V1Lease> {
    await this.serve();
    if (this.stored === undefined) throw new ApiException(404, "not found", {}, {});
    if (body.metadata?.resourceVersion !== this.stored.metadata?.resourceVersion) {
      throw new ApiException(409, "the object has been modified", {}, {});
    }
    return this.store(body);
  }

  /** Writes the lease as another party would, e.g. a replica that is already running. */
  seed(spec: V1Lease["spec"]): void {
    this.store({ metadata: { name: LEASE, namespace: NAMESPACE }, spec });
  }

  private store(body: V1Lease): V1Lease {
    this.writes += 1;
    this.version += 1;
    this.stored = roundTrip({
      ...body,
      metadata: { ...body.metadata, resourceVersion: String(this.version) },
    });
    return roundTrip(this.stored);
  }

  private async serve(): Promise<void> {
    if (this.hang) await new Promise(() => {});
    await Promise.resolve();
    if (this.outage) throw new ApiException(503, "service unavailable", {}, {});
  }
}

/** What the API server would see: JSON, in which V1MicroTime becomes a string. */
function roundTrip(lease: V1Lease): V1Lease {
  return JSON.parse(JSON.stringify(lease)) as V1Lease;
}

function renewTimeOf(leases: InMemoryLeases): number | undefined {
  return parseTime(leases.lease?.spec?.renewTime);
}

function elector(leases: InMemoryLeases, identity: string, extra: Partial<LeaderElectorOptions> = {}) {
  const onStartedLeading = vi.fn();
  const onStoppedLeading = vi.fn();
  const onNewLeader = vi.fn();
  const candidate = new LeaderElector({
    api: leases,
    namespace: NAMESPACE,
    name: LEASE,
    identity,
    onStartedLeading,
    onStoppedLeading,
    onNewLeader,
    random: () => 0,
    ...extra,
  });
  const running = candidate.run();
  return { candidate, running, onStartedLeading, onStoppedLeading, onNewLeader };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2026-01-01T00:00:00.000Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LeaderElector", () => {
  it("accepts client-node's CoordinationV1Api as its LeaseApi", () => {
    expectTypeOf<CoordinationV1Api>().toExtend<LeaseApi>();
  });

  it("creates an absent lease with microsecond timestamps and starts leading", async () => {
    const leases = new InMemoryLeases();
    const metrics = createMetrics({ processMetrics: false });
    const a = elector(leases, "pod-a", { metrics });
    await vi.advanceTimersByTimeAsync(0);

    expect(a.onStartedLeading).toHaveBeenCalledOnce();
    expect(a.candidate.isLeader()).toBe(true);
    expect(leases.lease?.spec).toEqual({
      holderIdentity: "pod-a",
      leaseDurationSeconds: 15,
      acquireTime: "2026-01-01T00:00:00.000000Z",
      renewTime: "2026-01-01T00:00:00.000000Z",
      leaseTransitions: 0,
    });
    expect(await metrics.registry.metrics()).toContain(`leader_election_master_status{name="${LEASE}"} 1`);
    a.candidate.stop();
    await a.running;
  });

  it("renews the lease every retry period, keeping acquireTime and transitions", async () => {
    const leases = new InMemoryLeases();
    const a = elector(leases, "pod-a");
    await vi.advanceTimersByTimeAsync(0);
    const acquiredAt = renewTimeOf(leases) ?? 0;

    await vi.advanceTimersByTimeAsync(2000);
    expect(renewTimeOf(leases)).toBe(acquiredAt + 2000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(renewTimeOf(leases)).toBe(acquiredAt + 62_000);
    expect(leases.lease?.spec?.acquireTime).toBe("2026-01-01T00:00:00.000000Z");
    expect(leases.lease?.spec?.renewTime).toMatch(MICRO_TIME);
    expect(leases.lease?.spec?.leaseTransitions).toBe(0);
    expect(a.onStoppedLeading).not.toHaveBeenCalled();
    a.candidate.stop();
    await a.running;
  });

  it("leaves a lease held by a live leader alone and takes it once it has expired", async () => {
    const leases = new InMemoryLeases();
    leases.seed({
      holderIdentity: "pod-old",
      leaseDurationSeconds: 15,
      renewTime: toMicroTime(Date.now()),
      leaseTransitions: 3,
    });
    const b = elector(leases, "pod-b");
    await vi.advanceTimersByTimeAsync(14_000);
    expect(b.onNewLeader).toHaveBeenCalledWith("pod-old");
    expect(b.onStartedLeading).not.toHaveBeenCalled();
    expect(leases.lease?.spec?.holderIdentity).toBe("pod-old");

    await vi.advanceTimersByTimeAsync(2000);
    expect(b.onStartedLeading).toHaveBeenCalledOnce();
    expect(leases.lease?.spec).toMatchObject({ holderIdentity: "pod-b", leaseTransitions: 4 });
    expect(b.onNewLeader).toHaveBeenLastCalledWith("pod-b");
    b.candidate.stop();
    await b.running;
  });

  it("elects one of two candidates that start together; the other takes over when it stops", async () => {
    const leases = new InMemoryLeases();
    const a = elector(leases, "pod-a");
    const b = elector(leases, "pod-b");
    await vi.advanceTimersByTimeAsync(0);
    expect(a.onStartedLeading).toHaveBeenCalledOnce();
    expect(b.onStartedLeading).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(30_000);
    expect(b.onStartedLeading).not.toHaveBeenCalled();

    // pod-a is killed without releasing: pod-b waits for the lease to expire.
    const stoppedAt = Date.now();
    a.candidate.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(b.onStartedLeading).toHaveBeenCalledOnce();
    const takeoverDelay = (parseTime(leases.lease?.spec?.acquireTime) ?? 0) - stoppedAt;
    expect(takeoverDelay).toBeGreaterThan(15_000 - 2000);
    expect(takeoverDelay).toBeLessThanOrEqual(15_000 + 2000);
    expect(a.onStoppedLeading).not.toHaveBeenCalled();
    b.candidate.stop();
    await Promise.all([a.running, b.running]);
  });

  it("stops leading when it cannot renew within the renew deadline", async () => {
    const leases = new InMemoryLeases();
    const metrics = createMetrics({ processMetrics: false });
    const a = elector(leases, "pod-a", { metrics });
    await vi.advanceTimersByTimeAsync(0);
    leases.outage = true;

    await vi.advanceTimersByTimeAsync(9_999);
    expect(a.onStoppedLeading).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(a.onStoppedLeading).toHaveBeenCalledOnce();
    expect(a.candidate.isLeader()).toBe(false);
    expect(await metrics.registry.metrics()).toContain(`leader_election_master_status{name="${LEASE}"} 0`);
    await a.running;

    // Having lost, it does not try again: the caller is expected to exit.
    leases.outage = false;
    const writes = leases.writes;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(leases.writes).toBe(writes);
  });

  it("stops leading by the renew deadline even when the API server never answers", async () => {
    const leases = new InMemoryLeases();
    const a = elector(leases, "pod-a");
    await vi.advanceTimersByTimeAsync(0);
    leases.hang = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.onStoppedLeading).toHaveBeenCalledOnce();
    await a.running;
  });

  it("keeps leading through a short outage", async () => {
    const leases = new InMemoryLeases();
    const a = elector(leases, "pod-a");
    await vi.advanceTimersByTimeAsync(0);
    leases.outage = true;
    await vi.advanceTimersByTimeAsync(6_000);
    leases.outage = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(a.onStoppedLeading).not.toHaveBeenCalled();
    expect(a.candidate.isLeader()).toBe(true);
    a.candidate.stop();
    await a.running;
  });

  it("stops leading when another replica wrote the lease in between (409)", async () => {
    const leases = new InMemoryLeases();
    const a = elector(leases, "pod-a");
    await vi.advanceTimersByTimeAsync(0);
    // Someone else holds it now, freshly renewed and not expired.
    leases.seed({ holderIdentity: "pod-x", leaseDurationSeconds: 15, renewTime: toMicroTime(Date.now()) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.onNewLeader).toHaveBeenCalledWith("pod-x");
    expect(a.onStoppedLeading).toHaveBeenCalledOnce();
    await a.running;
  });

  it("releases the lease on shutdown so the next replica takes over within a retry period", async () => {
    const leases = new InMemoryLeases();
    const a = elector(leases, "pod-a");
    await vi.advanceTimersByTimeAsync(0);
    const b = elector(leases, "pod-b");
    await vi.advanceTimersByTimeAsync(5_000);

    const release = a.candidate.release();
    await vi.advanceTimersByTimeAsync(0);
    await release;
    await a.running;
    expect(leases.lease?.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    expect(a.onStoppedLeading).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(2_000);
    expect(b.onStartedLeading).toHaveBeenCalledOnce();
    expect(leases.lease?.spec).toMatchObject({
      holderIdentity: "pod-b",
      leaseDurationSeconds: 15,
      leaseTransitions: 1,
    });
    b.candidate.stop();
    await b.running;
  });

  it("does not touch a lease it does not hold when released", async () => {
    const leases = new InMemoryLeases();
    leases.seed({ holderIdentity: "pod-old", leaseDurationSeconds: 15, renewTime: toMicroTime(Date.now()) });
    const b = elector(leases, "pod-b");
    await vi.advanceTimersByTimeAsync(0);
    await b.candidate.release();
    await b.running;
    expect(leases.lease?.spec?.holderIdentity).toBe("pod-old");
  });

  it("rejects timings that would allow two leaders", () => {
    const base = { api: new InMemoryLeases(), namespace: NAMESPACE, name: LEASE, identity: "pod-a" };
    const callbacks = { onStartedLeading: () => {}, onStoppedLeading: () => {} };
    expect(() => new LeaderElector({ ...base, ...callbacks, leaseDurationMs: 10_000 })).toThrow(
      /leaseDurationMs/,
    );
    expect(() => new LeaderElector({ ...base, ...callbacks, retryPeriodMs: 9_000 })).toThrow(
      /renewDeadlineMs/,
    );
  });
});

describe("lease timestamps", () => {
  it("serialize with six fractional digits, as the API server's MicroTime requires", () => {
    const lease: V1Lease = { spec: { renewTime: toMicroTime(Date.parse("2026-03-04T05:06:07.891Z")) } };
    expect(JSON.stringify(lease)).toBe('{"spec":{"renewTime":"2026-03-04T05:06:07.891000Z"}}');
  });

  it("parse from the string client-node returns as well as from a Date", () => {
    expect(parseTime("2026-01-01T00:00:01.500000Z")).toBe(Date.parse("2026-01-01T00:00:01.500Z"));
    expect(parseTime(new Date(42))).toBe(42);
    expect(parseTime("not a time")).toBeUndefined();
    expect(parseTime(undefined)).toBeUndefined();
  });
});
