// The status the reconciler last wrote, kept until the cache shows it. A status write reaches the
// informer some milliseconds later; a reconcile in between would otherwise start from the status
// before it, reset condition transition times and count a replaced Pod's usage from stale totals.
import type { ContainerGroup, ContainerGroupStatus } from "../api/types.js";

interface Written {
  uid: string;
  resourceVersion: string;
  status: ContainerGroupStatus;
}

/** Whether resourceVersion `a` is at least `b`. They are etcd revisions in practice; anything unparsable counts as caught up. */
function atLeast(a: string | undefined, b: string): boolean {
  try {
    return BigInt(a ?? "0") >= BigInt(b);
  } catch {
    return true;
  }
}

export class WrittenStatuses {
  private readonly byKey = new Map<string, Written>();

  remember(
    key: string,
    group: ContainerGroup,
    resourceVersion: string | undefined,
    status: ContainerGroupStatus,
  ): void {
    if (resourceVersion) this.byKey.set(key, { uid: group.metadata.uid ?? "", resourceVersion, status });
  }

  /** The group as the reconciler should see it: with the status it wrote last, while the cache lags behind. */
  overlay(key: string, cached: ContainerGroup): ContainerGroup {
    const written = this.byKey.get(key);
    if (!written) return cached;
    if (
      written.uid !== cached.metadata.uid ||
      atLeast(cached.metadata.resourceVersion, written.resourceVersion)
    ) {
      this.byKey.delete(key);
      return cached;
    }
    return { ...cached, status: written.status };
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
