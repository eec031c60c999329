import { ApiException, type KubernetesObject } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type EventInput,
  EventRecorder,
  type EventWriter,
  eventSeriesKey,
  LruMap,
  microTime,
} from "../../../src/runtime/events.js";

const pod: KubernetesObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "ns", uid: "uid-1", resourceVersion: "7" },
};
const started: EventInput = { type: "Normal", reason: "Started", action: "Starting", note: "started web" };

describe("eventSeriesKey", () => {
  it("separates objects, reasons, actions, types and notes", () => {
    const base = eventSeriesKey(pod, started);
    expect(eventSeriesKey(pod, { ...started })).toBe(base);
    expect(eventSeriesKey({ ...pod, metadata: { ...pod.metadata, uid: "uid-2" } }, started)).not.toBe(base);
    expect(eventSeriesKey(pod, { ...started, reason: "Other" })).not.toBe(base);
    expect(eventSeriesKey(pod, { ...started, note: "other" })).not.toBe(base);
    expect(eventSeriesKey(pod, { ...started, type: "Warning" })).not.toBe(base);
  });

  it("falls back to the object's identity when it has no uid", () => {
    const a = { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "ns" } };
    expect(eventSeriesKey(a, started)).toContain("v1/Pod/ns/a");
  });
});

describe("microTime", () => {
  it("writes six fractional digits, as the Events API expects", () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("2026-01-02T03:04:05.678000Z");
  });
});

describe("LruMap", () => {
  it("evicts the least recently used entry", () => {
    const lru = new LruMap<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.get("a");
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.size).toBe(2);
  });
});

interface Call {
  op: "create" | "patch";
  body: Record<string, unknown>;
  name: string | undefined;
}

function fakeWriter() {
  const calls: Call[] = [];
  let failNext: unknown;
  let gate: Promise<void> = Promise.resolve();
  const writer: EventWriter = {
    create: async <T extends KubernetesObject>(obj: T): Promise<T> => {
      await gate;
      calls.push({ op: "create", body: obj as Record<string, unknown>, name: obj.metadata?.name });
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      return obj;
    },
    patch: async <T extends KubernetesObject>(
      ref: { metadata: { name?: string } },
      patch: unknown,
    ): Promise<T> => {
      await gate;
      calls.push({ op: "patch", body: patch as Record<string, unknown>, name: ref.metadata.name });
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      return {} as T;
    },
  };
  return {
    writer,
    calls,
    failNextWith: (e: unknown) => {
      failNext = e;
    },
    hold: () => {
      let release = () => {};
      gate = new Promise((r) => (release = r));
      return release;
    },
  };
}

describe("EventRecorder", () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) }));
  afterEach(() => vi.useRealTimers());

  function recorder(writer: EventWriter, logged: string[] = []) {
    return new EventRecorder({
      client: writer,
      reportingController: "example.com/test",
      reportingInstance: "pod-0",
      dedupeWindowMs: 60_000,
      logger: { error: (m) => logged.push(m), warn: (m) => logged.push(m), info: () => {}, debug: () => {} },
    });
  }

  it("creates an events.k8s.io/v1 Event about the object", async () => {
    const fake = fakeWriter();
    const r = recorder(fake.writer);
    r.record(pod, started);
    await r.flush();

    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.body).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { namespace: "ns" },
      eventTime: "2026-01-01T00:00:00.000000Z",
      reportingController: "example.com/test",
      reportingInstance: "pod-0",
      type: "Normal",
      reason: "Started",
      action: "Starting",
      note: "started web",
      regarding: { apiVersion: "v1", kind: "Pod", name: "web", namespace: "ns", uid: "uid-1" },
    });
    expect(fake.calls[0]?.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it("folds repeats within the window into the series count of one Event", async () => {
    const fake = fakeWriter();
    const r = recorder(fake.writer);
    r.record(pod, started);
    await r.flush();
    vi.advanceTimersByTime(10_000);
    r.record(pod, started);
    await r.flush();
    r.record(pod, started);
    await r.flush();

    expect(fake.calls.map((c) => c.op)).toEqual(["create", "patch", "patch"]);
    expect(fake.calls[1]?.name).toBe(fake.calls[0]?.name);
    expect(fake.calls[2]?.body).toEqual({
      series: { count: 3, lastObservedTime: "2026-01-01T00:00:10.000000Z" },
    });
  });

  it("carries repeats that arrive during a write in the next single patch", async () => {
    const fake = fakeWriter();
    const r = recorder(fake.writer);
    const release = fake.hold();
    for (let i = 0; i < 5; i++) r.record(pod, started);
    release();
    await r.flush();

    expect(fake.calls.map((c) => [c.op, c.body.series])).toEqual([
      ["create", undefined],
      ["patch", { count: 5, lastObservedTime: "2026-01-01T00:00:00.000000Z" }],
    ]);
  });

  it("starts a new Event once the window has passed", async () => {
    const fake = fakeWriter();
    const r = recorder(fake.writer);
    r.record(pod, started);
    await r.flush();
    vi.advanceTimersByTime(61_000);
    r.record(pod, started);
    await r.flush();
    expect(fake.calls.map((c) => c.op)).toEqual(["create", "create"]);
  });

  it("creates a fresh Event when the one it patches has expired", async () => {
    const fake = fakeWriter();
    const r = recorder(fake.writer);
    r.record(pod, started);
    await r.flush();
    fake.failNextWith(new ApiException(404, "gone", "{}", {}));
    r.record(pod, started);
    await r.flush();
    expect(fake.calls.map((c) => c.op)).toEqual(["create", "patch", "create"]);
  });

  it("never throws and logs when the API server refuses, then tries again next time", async () => {
    const fake = fakeWriter();
    const logged: string[] = [];
    const r = recorder(fake.writer, logged);
    fake.failNextWith(new ApiException(403, "forbidden", '{"message":"events is forbidden"}', {}));
    expect(() => r.record(pod, started)).not.toThrow();
    await r.flush();
    expect(logged).toEqual(["could not write an event"]);

    r.record(pod, started);
    await r.flush();
    expect(fake.calls.map((c) => c.op)).toEqual(["create", "create"]);
  });

  it("records events about cluster-scoped objects in the default namespace and truncates long notes", async () => {
    const fake = fakeWriter();
    const r = recorder(fake.writer);
    r.record(
      { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "n" } },
      { ...started, note: "x".repeat(5000) },
    );
    await r.flush();
    expect(fake.calls[0]?.body.metadata).toMatchObject({ namespace: "default" });
    expect(String(fake.calls[0]?.body.note)).toHaveLength(1024);
  });
});
