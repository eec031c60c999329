// One cache over several namespaces. client-node's (and our) list-then-watch informers take one
// namespace or all of them, and an operator installed with a Role per watched namespace may not
// list across all: so a list of namespaces becomes one informer per namespace, read through the
// same interface as a single informer (get, list, byIndex, handlers, sync), so that readers never
// know how many there are. controller-runtime's multi-namespace cache does the same.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { InformerHandlers, ResilientInformer } from "./informer.js";

/** What readers and the controller use of an informer, whichever namespaces it spans. */
export interface InformerCache<T extends KubernetesObject> {
  /** `namespace` is ignored (pass "" or undefined) for cluster-scoped resources. */
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  byIndex(indexName: string, value: string): T[];
  addHandlers(handlers: InformerHandlers<T>): void;
  start(): void;
  stop(): Promise<void>;
  waitForSync(signal?: AbortSignal): Promise<void>;
  hasSynced(): boolean;
  /** The API server's refusal when the cache may not be filled (see `forbiddenIsUnavailable`); else undefined. */
  unavailable(): unknown;
}

/**
 * The namespaces to watch from a setting's list: trimmed, empty entries and duplicates dropped, in
 * the order given. An empty result means every namespace.
 */
export function normalizeNamespaces(namespaces: readonly string[]): string[] {
  return [...new Set(namespaces.map((n) => n.trim()).filter((n) => n !== ""))];
}

/** Several one-namespace informers behind one cache. Namespaces not in the list read as empty. */
export class MultiNamespaceInformer<T extends KubernetesObject> implements InformerCache<T> {
  readonly namespaces: readonly string[];
  private readonly informers: ReadonlyMap<string, InformerCache<T>>;

  /** `make` builds the informer of one namespace; `namespaces` must not be empty. */
  constructor(namespaces: readonly string[], make: (namespace: string) => InformerCache<T>) {
    const unique = normalizeNamespaces(namespaces);
    if (unique.length === 0) {
      throw new Error(
        "MultiNamespaceInformer needs at least one namespace (none: use one all-namespace informer)",
      );
    }
    this.namespaces = unique;
    this.informers = new Map(unique.map((ns) => [ns, make(ns)]));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.informers.get(namespace ?? "")?.get(namespace, name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return this.informers.get(namespace)?.list(namespace) ?? [];
    return [...this.informers.values()].flatMap((i) => i.list());
  }

  /** Index values are global (e.g. `namespace/name` of a group), so every namespace is asked. */
  byIndex(indexName: string, value: string): T[] {
    return [...this.informers.values()].flatMap((i) => i.byIndex(indexName, value));
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    for (const informer of this.informers.values()) informer.addHandlers(handlers);
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  /** The first namespace's refusal: one namespace the operator may not read makes the cache incomplete. */
  unavailable(): unknown {
    for (const informer of this.informers.values()) {
      const refusal = informer.unavailable();
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  }
}

/**
 * One informer for every namespace (an empty list), the namespace's own informer (one), or a
 * MultiNamespaceInformer over them (several): `make(undefined)` watches all namespaces.
 */
export function informerForNamespaces<T extends KubernetesObject>(
  namespaces: readonly string[],
  make: (namespace: string | undefined) => ResilientInformer<T>,
): InformerCache<T> {
  const unique = normalizeNamespaces(namespaces);
  if (unique.length === 0) return make(undefined);
  if (unique.length === 1) return make(unique[0]);
  return new MultiNamespaceInformer(unique, make);
}
