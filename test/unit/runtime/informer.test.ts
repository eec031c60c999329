import {
  ApiException,
  KubeConfig,
  type KubernetesListObject,
  type V1ConfigMap,
  Watch,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type InformerHandlers,
  jitteredBackoffMs,
  type ListQuery,
  patientWatch,
  ResilientInformer,
  type RestartReason,
  resourcePath,
  type WatchSource,
  watchTimeoutSeconds,
} from "../../../src/runtime/informer.js";

describe("jitteredBackoffMs", () => {
  const backoff = { initialMs: 1000, maxMs: 30_000 };

  it("waits between half and all of 1 s after the first failure", () => {
    expect(jitteredBackoffMs(1, backoff, () => 0)).toBe(500);
    expect(jitteredBackoffMs(1, backoff, () => 0.999999)).toBe(1000);
  });

  it("doubles with each consecutive failure", () => {
    expect(jitteredBackoffMs(2, backoff, () => 0.5)).toBe(1500);
    expect(jitteredBackoffMs(3, backoff, () => 0.5)).toBe(3000);
    expect(jitteredBackoffMs(5, backoff, () => 0)).toBe(8000);
  });

  it("never exceeds the cap, even after a very long outage", () => {
    expect(jitteredBackoffMs(6, backoff, () => 0.999999)).toBe(30_000);
    expect(jitteredBackoffMs(10_000, backoff, () => 0.999999)).toBe(30_000);
    expect(jitteredBackoffMs(10_000, backoff, () => 0)).toBe(15_000);
  });
});

describe("resourcePath", () => {
  it("uses /api for the core group and /apis for named groups", () => {
    expect(resourcePath({ group: "", version: "v1", plural: "pods" })).toBe("/api/v1/pods");
    expect(resourcePath({ group: "apps", version: "v1", plural: "deployments" }, "ns1")).toBe(
      "/apis/apps/v1/namespaces/ns1/deployments",
    );
  });
});

describe("watchTimeoutSeconds", () => {
  it("spreads watch timeouts between 5 and 10 minutes", () => {
    expect(watchTimeoutSeconds(() => 0)).toBe(300);
    expect(watchTimeoutSeconds(() => 0.999)).toBe(599);
  });
});

describe("patientWatch", () => {
  it("moves client-node's inactivity timeout past the informer's silence timeout", () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "https://127.0.0.1:6443" }],
      users: [{ name: "u" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    // The private field it sets: a client-node release that renames it must fail here.
    expect(Reflect.get(new Watch(kc), "requestTimeoutMs")).toBe(30_000);
    expect(Reflect.get(patientWatch(kc, 300_000), "requestTimeoutMs")).toBe(360_000);
  });
});

// ---- the loop, against a fake API ----

interface FakeWatch {
  query: Record<string, string | number | boolean | undefined>;
  controller: AbortController;
  emit(type: string, obj: unknown): void;
  done(err: unknown): void;
}

class FakeApi implements WatchSource {
  objects = new Map<string, V1ConfigMap>();
  resourceVersion = 100;
  lists: ListQuery[] = [];
  watches: FakeWatch[] = [];
  listError: unknown;

  put(name: string, data: Record<string, string>): V1ConfigMap {
    this.resourceVersion++;
    const cm: V1ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace: "ns",
        uid: `uid-${name}`,
        resourceVersion: String(this.resourceVersion),
        labels: { app: name.startsWith("a") ? "alpha" : "beta" },
        managedFields: [{ manager: "test", operation: "Apply" }],
      },
      data,
    };
    this.objects.set(name, cm);
    return structuredClone(cm);
  }

  remove(name: string): V1ConfigMap {
    const cm = this.objects.get(name)!;
    this.objects.delete(name);
    this.resourceVersion++;
    return structuredClone(cm);
  }

  list = async (query: ListQuery): Promise<KubernetesListObject<V1ConfigMap>> => {
    this.lists.push(query);
    if (this.listError) throw this.listError;
    // Like the API server: list items come without apiVersion and kind.
    const items = [...this.objects.values()].map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = structuredClone(o);
      return rest;
    });
    return {
      apiVersion: "v1",
      kind: "ConfigMapList",
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    };
  };

  watch: WatchSource["watch"] = async (_path, query, onEvent, onDone) => {
    const controller = new AbortController();
    this.watches.push({ query, controller, emit: onEvent, done: onDone });
    return controller;
  };

  get current(): FakeWatch {
    const w = this.watches.at(-1);
    if (!w) throw new Error("no watch yet");
    return w;
  }
}

function recordingHandlers() {
  const calls: string[] = [];
  const handlers: InformerHandlers<V1ConfigMap> = {
    onAdd: (o) => calls.push(`add ${o.metadata?.name}`),
    onUpdate: (a, b) => calls.push(`update ${a.metadata?.name} ${a.data?.v}->${b.data?.v}`),
    onDelete: (o) => calls.push(`delete ${o.metadata?.name}`),
  };
  return { calls, handlers };
}

describe("ResilientInformer", () => {
  let api: FakeApi;
  let informer: ResilientInformer<V1ConfigMap>;
  let restarts: RestartReason[];

  function makeInformer(
    extra: Partial<ConstructorParameters<typeof ResilientInformer<V1ConfigMap>>[0]> = {},
  ) {
    restarts = [];
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: "https://127.0.0.1:1" }],
      users: [{ name: "u" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    informer = new ResilientInformer<V1ConfigMap>({
      kubeConfig: kc,
      resource: { group: "", version: "v1", plural: "configmaps" },
      namespace: "ns",
      labelSelector: "app",
      list: api.list,
      watchSource: api,
      indexers: { byApp: (o) => [o.metadata?.labels?.app ?? ""] },
      onRestart: (r) => restarts.push(r),
      random: () => 0,
      ...extra,
    });
    return informer;
  }

  beforeEach(() => {
    vi.useFakeTimers();
    api = new FakeApi();
  });

  afterEach(async () => {
    await informer?.stop();
    vi.useRealTimers();
  });

  it("lists, fires adds, strips managedFields and fills in apiVersion and kind", async () => {
    api.put("a1", { v: "1" });
    api.put("b1", { v: "1" });
    makeInformer();
    const { calls, handlers } = recordingHandlers();
    informer.addHandlers(handlers);
    informer.start();
    await informer.waitForSync();

    expect(informer.hasSynced()).toBe(true);
    expect(calls.sort()).toEqual(["add a1", "add b1"]);
    const cached = informer.get("ns", "a1");
    expect(cached?.metadata?.managedFields).toBeUndefined();
    expect(cached?.kind).toBe("ConfigMap");
    expect(cached?.apiVersion).toBe("v1");
    expect(api.lists[0]).toMatchObject({ labelSelector: "app", limit: 500 });
  });

  it("applies watch events to the cache and its indices and watches with bookmarks from the list's version", async () => {
    api.put("a1", { v: "1" });
    makeInformer();
    const { calls, handlers } = recordingHandlers();
    informer.addHandlers(handlers);
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);

    expect(api.current.query).toMatchObject({
      resourceVersion: "101",
      allowWatchBookmarks: true,
      labelSelector: "app",
    });
    api.current.emit("ADDED", api.put("b1", { v: "1" }));
    api.current.emit("MODIFIED", api.put("a1", { v: "2" }));
    expect(informer.byIndex("byApp", "alpha").map((o) => o.data?.v)).toEqual(["2"]);
    api.current.emit("DELETED", api.remove("a1"));

    expect(calls).toEqual(["add a1", "add b1", "update a1 1->2", "delete a1"]);
    expect(informer.list("ns").map((o) => o.metadata?.name)).toEqual(["b1"]);
    expect(informer.byIndex("byApp", "alpha")).toEqual([]);
    expect(informer.byIndex("byApp", "beta")).toHaveLength(1);
    expect(() => informer.byIndex("nope", "x")).toThrow(/no index/);
  });

  it("resumes from the last bookmark after a watch error, with backoff and without re-listing", async () => {
    makeInformer();
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);
    const first = api.current;
    first.emit("BOOKMARK", { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "555" } });
    first.done(new Error("socket hang up"));

    expect(first.controller.signal.aborted).toBe(true); // the old request's socket is released
    await vi.advanceTimersByTimeAsync(400);
    expect(api.watches).toHaveLength(1); // backing off: 500 ms with random() = 0
    await vi.advanceTimersByTimeAsync(200);
    expect(api.watches).toHaveLength(2);
    expect(api.current.query.resourceVersion).toBe("555");
    expect(api.lists).toHaveLength(1);
    expect(restarts).toEqual(["error"]);
  });

  it("restarts a watch that stays silent, and bookmarks count as signs of life", async () => {
    makeInformer({ silenceTimeoutMs: 60_000 });
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);

    await vi.advanceTimersByTimeAsync(50_000);
    api.current.emit("BOOKMARK", { metadata: { resourceVersion: "200" } });
    await vi.advanceTimersByTimeAsync(50_000);
    expect(api.watches).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(10_001);
    expect(restarts).toEqual(["silence"]);
    expect(api.watches[0]?.controller.signal.aborted).toBe(true);
    expect(api.watches).toHaveLength(2);
    expect(api.current.query.resourceVersion).toBe("200");
  });

  it("re-lists on 410 Gone and fires only the differences", async () => {
    api.put("a1", { v: "1" });
    api.put("a2", { v: "1" });
    api.put("b1", { v: "1" });
    makeInformer();
    const { calls, handlers } = recordingHandlers();
    const resynced: string[] = [];
    informer.addHandlers({ ...handlers, onResync: (o) => resynced.push(o.metadata?.name ?? "") });
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);
    calls.length = 0;

    // Changes the watch never reported:
    api.put("a1", { v: "2" });
    api.remove("a2");
    api.put("c1", { v: "1" });
    api.current.emit("ERROR", { kind: "Status", code: 410, message: "too old resource version" });
    await vi.advanceTimersByTimeAsync(0);

    expect(restarts).toEqual(["gone"]);
    expect(api.lists).toHaveLength(2);
    expect(calls.sort()).toEqual(["add c1", "delete a2", "update a1 1->2"]);
    expect(resynced).toEqual(["b1"]);
  });

  it("backs off instead of spinning when a fresh list is at once too old again", async () => {
    makeInformer();
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);
    api.current.emit("ERROR", { kind: "Status", code: 410 });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.lists).toHaveLength(2); // the first 410 re-lists at once
    api.current.emit("ERROR", { kind: "Status", code: 410 });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.lists).toHaveLength(2); // the second waits
    await vi.advanceTimersByTimeAsync(500);
    expect(api.lists).toHaveLength(3);
  });

  it("runs a single loop after a stop and a restart", async () => {
    makeInformer();
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);
    await informer.stop();
    informer.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.watches.filter((w) => !w.controller.signal.aborted)).toHaveLength(1);
    expect(api.lists).toHaveLength(1); // resumed from its resourceVersion
  });

  it("fires nothing on an idle periodic resync", async () => {
    api.put("a1", { v: "1" });
    makeInformer({ resyncIntervalMs: 60_000 });
    const { calls, handlers } = recordingHandlers();
    informer.addHandlers(handlers);
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(api.lists).toHaveLength(2);
    expect(restarts).toEqual(["resync"]);
    expect(calls).toEqual(["add a1"]);
    expect(api.current.query.resourceVersion).toBe("101");
  });

  it("keeps going when handlers throw or reject", async () => {
    const logged: string[] = [];
    makeInformer({
      logger: { error: (m) => logged.push(m), warn: () => {}, info: () => {}, debug: () => {} },
    });
    const seen: string[] = [];
    informer.addHandlers({
      onAdd: () => {
        throw new Error("boom");
      },
    });
    informer.addHandlers({ onAdd: (async () => Promise.reject(new Error("async boom"))) as () => void });
    informer.addHandlers({ onAdd: (o) => seen.push(o.metadata?.name ?? "") });
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);
    api.current.emit("ADDED", api.put("a1", {}));
    await vi.advanceTimersByTimeAsync(0);

    expect(seen).toEqual(["a1"]);
    expect(logged).toEqual(["informer event handler failed", "informer event handler failed"]);
  });

  it("retries a failed list with backoff and syncs when it succeeds", async () => {
    api.listError = new ApiException(500, "oops", "{}", {});
    makeInformer();
    informer.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(informer.hasSynced()).toBe(false);
    api.listError = undefined;
    await vi.advanceTimersByTimeAsync(1000);
    expect(informer.hasSynced()).toBe(true);
    expect(restarts).toEqual(["error"]);
  });

  it("rejects waitForSync when the signal aborts first", async () => {
    api.listError = new Error("down");
    makeInformer();
    informer.start();
    const controller = new AbortController();
    const waiting = informer.waitForSync(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow(/aborted/);
  });

  it("aborts a watch that only connects after stop", async () => {
    let release: (c: AbortController) => void = () => {};
    const controller = new AbortController();
    makeInformer({
      watchSource: { watch: () => new Promise<AbortController>((r) => (release = r)) },
    });
    informer.start();
    await informer.waitForSync();
    await vi.advanceTimersByTimeAsync(0);
    await informer.stop();
    release(controller);
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.signal.aborted).toBe(true);
  });
});
