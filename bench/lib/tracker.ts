// Follows a collection through list + watch and counts the objects that satisfy a predicate, so a
// benchmark learns the moment the last of N objects converged without polling lists.
import type { BenchClient, KubeObject } from "./kube.js";
import { sleep } from "./kube.js";

export class Tracker {
  readonly objects = new Map<string, KubeObject>();
  private readonly done = new Set<string>();
  private rv = "";
  private watch: { stop(): void } | undefined;
  private stopped = false;
  waiters: { check: () => boolean; resolve: (t: number) => void }[] = [];
  /** Time of the last change to the set of done objects. */
  lastChangeAt = 0;

  constructor(
    private readonly client: BenchClient,
    private readonly path: string,
    private readonly isDone: (o: KubeObject) => boolean,
    private readonly query: Record<string, string> = {},
  ) {}

  get doneCount(): number {
    return this.done.size;
  }

  async start(): Promise<void> {
    const { items, rv } = await this.client.list(this.path, this.query);
    for (const o of items) this.upsert(o);
    this.rv = rv;
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    this.watch = this.client.watch(
      this.path,
      { ...this.query, resourceVersion: this.rv },
      (e) => {
        if (e.type === "BOOKMARK") {
          this.rv = e.object.metadata.resourceVersion ?? this.rv;
          return;
        }
        if (e.type === "ERROR") {
          // 410: start over from a fresh list
          this.rv = "";
          return;
        }
        this.rv = e.object.metadata.resourceVersion ?? this.rv;
        if (e.type === "DELETED") this.remove(e.object);
        else this.upsert(e.object);
      },
      () => {
        if (this.stopped) return;
        void (async () => {
          await sleep(500);
          if (this.rv === "") await this.start().catch(() => this.connect());
          else this.connect();
        })();
      },
    );
  }

  private upsert(o: KubeObject): void {
    const name = o.metadata.name;
    this.objects.set(name, o);
    const was = this.done.has(name);
    const now = this.isDone(o);
    if (was !== now) {
      if (now) this.done.add(name);
      else this.done.delete(name);
      this.lastChangeAt = Date.now();
    }
    this.notify();
  }

  private remove(o: KubeObject): void {
    this.objects.delete(o.metadata.name);
    if (this.done.delete(o.metadata.name)) this.lastChangeAt = Date.now();
    this.notify();
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const now = Date.now();
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve(now);
      return false;
    });
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
  }
}

/** Resolves with the time (ms) at which `check` first held, checked on every tracker event; rejects after `timeoutMs`. */
export function waitFor(trackers: Tracker[], check: () => boolean, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (check()) {
      resolve(Date.now());
      return;
    }
    let settled = false;
    const timer = setTimeout(() => {
      if (!settled) {
        settled = true;
        reject(new Error(`not converged within ${timeoutMs / 1000} s`));
      }
    }, timeoutMs);
    const onDone = (t: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(t);
    };
    for (const t of trackers) t.waiters.push({ check, resolve: onDone });
  });
}

export const groupIsReady = (g: KubeObject): boolean => {
  const status = (g.status ?? {}) as { state?: string; conditions?: { type: string; status: string }[] };
  return (
    status.state === "Running" &&
    (status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
};

export const podIsRunning = (p: KubeObject): boolean =>
  !p.metadata.deletionTimestamp && (p.status as { phase?: string } | undefined)?.phase === "Running";

export const replicaSetIsReady = (rs: KubeObject): boolean => {
  const s = (rs.status ?? {}) as { readyReplicas?: number; observedGeneration?: number };
  return s.readyReplicas === 1 && (s.observedGeneration ?? 0) >= Number(rs.metadata.generation ?? 1);
};
