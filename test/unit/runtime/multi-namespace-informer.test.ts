import {
  ApiException,
  KubeConfig,
  type KubernetesListObject,
  type V1ConfigMap,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type InformerHandlers,
  type ListQuery,
  ResilientInformer,
  type WatchSource,
} from "../../../src/runtime/informer.js";
import {
  informerForNamespaces,
  MultiNamespaceInformer,
  normalizeNamespaces,
} from "../../../src/runtime/multi-namespace-informer.js";

/** A fake API holding ConfigMaps by namespace; lists of one namespace see only that namespace. */
class FakeApi implements WatchSource {
  objects: V1ConfigMap[] = [];
  listed: string[] = [];
  watched: string[] = [];
  /** Namespaces (or "" for all) whose list is refused with 403. */
  forbidden = new Set<string>();
  private version = 10;

  put(namespace: string, name: string, group: string): void {
    this.version++;
    this.objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace, name, resourceVersion: String(this.version), labels: { group } },
    });
  }

  listOf =
    (namespace: string | undefined) =>
    async (_query: ListQuery): Promise<KubernetesListObject<V1ConfigMap>> => {
      this.listed.push(namespace ?? "");
      if (this.forbidden.has(namespace ?? "")) {
        throw new ApiException(403, "Forbidden", { message: "configmaps is forbidden", code: 403 }, {});
      }
      return {
        apiVersion: "v1",
        kind: "ConfigMapList",
        metadata: { resourceVersion: String(this.version) },
        items: this.objects
          .filter((o) => namespace === undefined || o.metadata?.namespace === namespace)
          .map((o) => structuredClone(o)),
      };
    };

  watch: WatchSource["watch"] = async (path) => {
    this.watched.push(path);
    return new AbortController();
  };
}

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: "https://127.0.0.1:1" }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

describe("normalizeNamespaces", () => {
  it("trims, drops empty entries and duplicates, and keeps the order given", () => {
    expect(normalizeNamespaces([" b", "a", "", "b ", "a"])).toEqual(["b", "a"]);
    expect(normalizeNamespaces(["", " "])).toEqual([]);
  });
});

describe("MultiNamespaceInformer", () => {
  let api: FakeApi;
  let informers: ResilientInformer<V1ConfigMap>[];
  const make = (namespace: string | undefined, extra: { forbiddenIsUnavailable?: boolean } = {}) => {
    const informer = new ResilientInformer<V1ConfigMap>({
      kubeConfig: kubeConfig(),
      resource: { group: "", version: "v1", plural: "configmaps" },
      ...(namespace ? { namespace } : {}),
      list: api.listOf(namespace),
      watchSource: api,
      indexers: { group: (o) => [o.metadata?.labels?.group ?? ""] },
      random: () => 0,
      ...extra,
    });
    informers.push(informer);
    return informer;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    api = new FakeApi();
    informers = [];
    api.put("team-a", "one", "g1");
    api.put("team-b", "one", "g1");
    api.put("team-b", "two", "g2");
    api.put("elsewhere", "three", "g1");
  });

  afterEach(async () => {
    await Promise.all(informers.map((i) => i.stop()));
    vi.useRealTimers();
  });

  it("lists each watched namespace on its own and reads as one cache: get, list and byIndex", async () => {
    const cache = new MultiNamespaceInformer(["team-a", "team-b"], (ns) => make(ns));
    const added: string[] = [];
    const handlers: InformerHandlers<V1ConfigMap> = {
      onAdd: (o) => added.push(`${o.metadata?.namespace}/${o.metadata?.name}`),
    };
    cache.addHandlers(handlers);
    expect(cache.hasSynced()).toBe(false);
    cache.start();
    await cache.waitForSync();

    expect(cache.hasSynced()).toBe(true);
    expect(api.listed.sort()).toEqual(["team-a", "team-b"]);
    expect(added.sort()).toEqual(["team-a/one", "team-b/one", "team-b/two"]);
    expect(cache.get("team-a", "one")?.metadata?.namespace).toBe("team-a");
    expect(cache.get("team-b", "one")?.metadata?.namespace).toBe("team-b");
    expect(cache.get("elsewhere", "three")).toBeUndefined();
    expect(cache.get(undefined, "one")).toBeUndefined();
    expect(
      cache
        .list()
        .map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)
        .sort(),
    ).toEqual(["team-a/one", "team-b/one", "team-b/two"]);
    expect(cache.list("team-b")).toHaveLength(2);
    expect(cache.list("elsewhere")).toEqual([]);
    expect(
      cache
        .byIndex("group", "g1")
        .map((o) => o.metadata?.namespace)
        .sort(),
    ).toEqual(["team-a", "team-b"]);
    expect(cache.unavailable()).toBeUndefined();
  });

  it("is synced only when every namespace is", async () => {
    api.forbidden.add("team-b");
    const cache = new MultiNamespaceInformer(["team-a", "team-b"], (ns) => make(ns));
    cache.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(informers[0]?.hasSynced()).toBe(true);
    expect(cache.hasSynced()).toBe(false);
  });

  it("refuses an empty list: every namespace is one informer, not many", () => {
    expect(() => new MultiNamespaceInformer([" ", ""], (ns) => make(ns))).toThrow(/at least one namespace/);
  });

  it("informerForNamespaces: one all-namespace informer, the namespace's own, or one per namespace", () => {
    expect(informerForNamespaces([], make)).toBeInstanceOf(ResilientInformer);
    expect((informerForNamespaces([], make) as ResilientInformer<V1ConfigMap>).path).toBe(
      "/api/v1/configmaps",
    );
    expect((informerForNamespaces(["x", "x"], make) as ResilientInformer<V1ConfigMap>).path).toBe(
      "/api/v1/namespaces/x/configmaps",
    );
    const multi = informerForNamespaces(["x", "y"], make);
    expect(multi).toBeInstanceOf(MultiNamespaceInformer);
    expect((multi as MultiNamespaceInformer<V1ConfigMap>).namespaces).toEqual(["x", "y"]);
  });

  describe("forbiddenIsUnavailable", () => {
    it("a 403 list counts as synced and unavailable; a later permitted list fills the cache and fires adds", async () => {
      api.forbidden.add("");
      const informer = make(undefined, { forbiddenIsUnavailable: true });
      const added: string[] = [];
      informer.addHandlers({ onAdd: (o) => added.push(o.metadata?.name ?? "") });
      informer.start();
      await informer.waitForSync();

      expect(informer.hasSynced()).toBe(true);
      expect(informer.list()).toEqual([]);
      expect(informer.unavailable()).toBeInstanceOf(ApiException);
      expect(api.watched).toEqual([]); // no watch without a list

      api.forbidden.clear(); // the permission is granted
      await vi.advanceTimersByTimeAsync(1_000); // the first retry's backoff (random 0: half of 1 s)
      expect(informer.unavailable()).toBeUndefined();
      expect(added.sort()).toEqual(["one", "one", "three", "two"]);
    });

    it("without it, a 403 list holds the sync (the informer retries as for any error)", async () => {
      api.forbidden.add("");
      const informer = make(undefined);
      informer.start();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(informer.hasSynced()).toBe(false);
      expect(informer.unavailable()).toBeUndefined();
    });
  });
});
