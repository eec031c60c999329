// What every reconcile is given: the API client, the caches, the settings and the shared state
// between reconciles. A module of its own (as controller-rs keeps its Context), so the reconciler
// and the helpers it calls all import it and none imports another back.

import type { OperatorSettings } from "../render/settings.js";
import type { KubeClient } from "../runtime/apply.js";
import type { EventRecorder } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import type { Caches } from "./caches.js";
import type { DnsClaims } from "./dns-claims.js";
import type { PodSecurity } from "./pod-security.js";
import type { PodTombstones } from "./tombstones.js";
import type { WrittenStatuses } from "./written-status.js";

export interface ReconcilerDeps {
  client: KubeClient;
  caches: Caches;
  settings: OperatorSettings;
  recorder: EventRecorder;
  log: Logger;
  now: () => Date;
  /** How often a running group's usage is brought up to date; 0: only on state changes. */
  usageIntervalSeconds: number;
  tombstones: PodTombstones;
  written: WrittenStatuses;
  /** Cluster-wide claims on Unsecure DNS name labels. */
  dnsClaims: DnsClaims;
  /** Namespaces' Pod Security levels (--pod-security=auto) and the slow retry of refused Pods. */
  podSecurity: PodSecurity;
}
