// The last state of each group's Pod after it is gone. A Pod deleted by the controller, or whose
// deletion the informer reported, still decides the group's status (a run-once group stays
// Succeeded or Failed with its exit code) and closes its usage at the right second.
import type { V1Pod } from "@kubernetes/client-node";

export class PodTombstones {
  private readonly byGroup = new Map<string, { groupUid: string; pod: V1Pod }>();

  /** Remembers the Pod's last state for the group `key` (namespace/name) with that uid. */
  remember(key: string, groupUid: string, pod: V1Pod): void {
    this.byGroup.set(key, { groupUid, pod });
  }

  /** The group's last Pod, if the group is the same one (a recreated group starts afresh). */
  get(key: string, groupUid: string): V1Pod | undefined {
    const entry = this.byGroup.get(key);
    return entry && entry.groupUid === groupUid ? entry.pod : undefined;
  }

  forget(key: string): void {
    this.byGroup.delete(key);
  }

  get size(): number {
    return this.byGroup.size;
  }
}
