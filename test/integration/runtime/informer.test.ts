import { type KubeConfig, type V1ConfigMap, Watch } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/runtime/apply.js";
import { ResilientInformer, type RestartReason, type WatchSource } from "../../../src/runtime/informer.js";
import { createNamespace, deleteNamespace, eventually, loadKubeConfig } from "../harness.js";

const SELECTOR_LABEL = "runtime-test/selected";
const FIELD_MANAGER = "runtime-informer-test";

/** client-node's Watch, with hooks a test can pull: break the live request, or drop DELETED events. */
class TamperableWatch implements WatchSource {
  private readonly inner: Watch;
  readonly controllers: AbortController[] = [];
  dropDeletes = false;

  constructor(kc: KubeConfig) {
    this.inner = new Watch(kc);
  }

  watch: WatchSource["watch"] = async (path, query, onEvent, onDone) => {
    const controller = await this.inner.watch(
      path,
      query,
      (type, obj) => {
        if (this.dropDeletes && type === "DELETED") return;
        onEvent(type, obj);
      },
      onDone,
    );
    this.controllers.push(controller);
    return controller;
  };

  /** What a dropped connection looks like to the informer: the request fails mid-stream. */
  breakCurrent(): void {
    this.controllers.at(-1)?.abort();
  }
}

describe("ResilientInformer against the API server", () => {
  let kc: KubeConfig;
  let client: KubeClient;
  let namespace: string;
  let informer: ResilientInformer<V1ConfigMap> | undefined;

  beforeAll(async () => {
    kc = loadKubeConfig();
    client = new KubeClient(kc);
    namespace = await createNamespace("rt-informer");
  });

  afterEach(async () => {
    await informer?.stop();
    informer = undefined;
  });

  afterAll(async () => {
    await deleteNamespace(namespace);
  });

  function configMap(name: string, selected: boolean, value: string): V1ConfigMap {
    return {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace,
        labels: selected ? { [SELECTOR_LABEL]: "yes", app: name } : { app: name },
      },
      data: { value },
    };
  }

  async function startInformer(watchSource?: WatchSource) {
    const events: string[] = [];
    const restarts: RestartReason[] = [];
    const started = new ResilientInformer<V1ConfigMap>({
      kubeConfig: kc,
      client,
      resource: { group: "", version: "v1", plural: "configmaps" },
      namespace,
      labelSelector: SELECTOR_LABEL,
      indexers: { byApp: (cm) => [cm.metadata?.labels?.app ?? ""] },
      watchSource,
      onRestart: (reason) => restarts.push(reason),
    });
    started.addHandlers({
      onAdd: (cm) => events.push(`add ${cm.metadata?.name}`),
      onUpdate: (_old, cm) => events.push(`update ${cm.metadata?.name} ${cm.data?.value}`),
      onDelete: (cm) => events.push(`delete ${cm.metadata?.name}`),
    });
    started.start();
    await started.waitForSync(AbortSignal.timeout(30_000));
    informer = started;
    return { informer: started, events, restarts };
  }

  const seen = (events: string[], event: string) => () =>
    Promise.resolve(events.includes(event) || undefined);

  it("sees adds, updates and deletes of the ConfigMaps its label selects, without managedFields", async () => {
    await client.apply(configMap("before", true, "0"), { fieldManager: FIELD_MANAGER });
    const { informer, events } = await startInformer();
    expect(events).toContain("add before");

    await client.apply(configMap("selected", true, "1"), { fieldManager: FIELD_MANAGER });
    await client.apply(configMap("ignored", false, "1"), { fieldManager: FIELD_MANAGER });
    await eventually("the add", seen(events, "add selected"));
    await client.apply(configMap("selected", true, "2"), { fieldManager: FIELD_MANAGER });
    await eventually("the update", seen(events, "update selected 2"));

    const cached = informer.get(namespace, "selected");
    expect(cached?.data?.value).toBe("2");
    expect(cached?.metadata?.managedFields).toBeUndefined();
    expect(informer.byIndex("byApp", "selected")).toHaveLength(1);
    expect(informer.get(namespace, "ignored")).toBeUndefined();

    await client.delete(configMap("selected", true, ""));
    await eventually("the delete", seen(events, "delete selected"));
    expect(informer.get(namespace, "selected")).toBeUndefined();
    expect(events.some((e) => e.includes("ignored"))).toBe(false);
  });

  it("recovers from a broken watch without losing the events made while it was down", async () => {
    const watch = new TamperableWatch(kc);
    const { informer, events, restarts } = await startInformer(watch);
    await eventually("a watch", () => Promise.resolve(watch.controllers.length > 0 || undefined));

    watch.breakCurrent();
    // Written while the informer backs off (at least 500 ms): the next watch replays it from its resourceVersion.
    await client.apply(configMap("during-outage", true, "1"), { fieldManager: FIELD_MANAGER });
    await eventually("the add made during the outage", seen(events, "add during-outage"));
    // An aborted stream reads as an error or as a close, depending on where the abort lands.
    expect(restarts.some((r) => r === "error" || r === "closed")).toBe(true);
    expect(watch.controllers.length).toBeGreaterThanOrEqual(2);
    expect(watch.controllers.slice(0, -1).every((c) => c.signal.aborted)).toBe(true);

    informer.restartWatch();
    await client.apply(configMap("after-restart", true, "1"), { fieldManager: FIELD_MANAGER });
    await eventually("the add after a requested restart", seen(events, "add after-restart"));
    expect(restarts).toContain("requested");
  });

  it("closes each watch's connection when it restarts, so restarts leak no sockets", async () => {
    const watch = new TamperableWatch(kc);
    const { informer } = await startInformer(watch);
    await eventually("a watch", () => Promise.resolve(watch.controllers.length > 0 || undefined));
    const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const before = openSockets();

    for (let i = 1; i <= 10; i++) {
      informer.restartWatch();
      await eventually("the next watch", () => Promise.resolve(watch.controllers.length > i || undefined));
    }
    expect(watch.controllers.slice(0, -1).every((c) => c.signal.aborted)).toBe(true);
    // Aborted sockets close on the next turns of the event loop; ten leaked ones would stay.
    await eventually("sockets to close", () => Promise.resolve(openSockets() <= before + 1 || undefined), {
      timeoutMs: 5000,
    });
  });

  it("keeps a quiet watch open past client-node's 30 s inactivity cut, which ends a bare Watch", async () => {
    // Both watch the same quiet namespace at once: the bare Watch shows the problem, the informer the fix.
    const ended: Promise<{ err: unknown; afterMs: number }> = new Promise((resolve) => {
      const start = Date.now();
      void new Watch(kc).watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { labelSelector: "runtime-test/nothing-has-this", allowWatchBookmarks: true, timeoutSeconds: 600 },
        () => {},
        (err) => resolve({ err, afterMs: Date.now() - start }),
      );
    });
    const { restarts } = await startInformer();
    const bare = await ended;
    expect(bare.err).toMatchObject({ name: "TimeoutError" });
    expect(bare.afterMs).toBeLessThan(60_000);
    // The informer's watch started after the bare one; give it the same 30 s and a margin.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(restarts).toEqual([]);
  }, 90_000);

  it("fires onDelete for a delete the watch missed when it re-lists", async () => {
    await client.apply(configMap("to-miss", true, "1"), { fieldManager: FIELD_MANAGER });
    const watch = new TamperableWatch(kc);
    const { informer, events } = await startInformer(watch);
    expect(informer.get(namespace, "to-miss")).toBeDefined();

    watch.dropDeletes = true;
    await client.delete(configMap("to-miss", true, ""));
    // A marker written after the delete proves the watch got past it without reporting it.
    await client.apply(configMap("marker", true, "1"), { fieldManager: FIELD_MANAGER });
    await eventually("the marker", seen(events, "add marker"));
    expect(events).not.toContain("delete to-miss");

    const before = events.length;
    informer.resyncNow();
    await eventually("the missed delete", seen(events, "delete to-miss"));
    // Everything else was unchanged: the re-list fired nothing more.
    expect(events.slice(before)).toEqual(["delete to-miss"]);
  });
});
