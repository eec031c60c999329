import { type V1Lease, type V1LeaseSpec, V1MicroTime } from "@kubernetes/client-node";
import type { Logger } from "./logger.js";
import type { RuntimeMetrics } from "./metrics.js";
import { wakeableSleep } from "./sleep.js";

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's timing and rules:
 * - a candidate takes the lease when it is absent, released (no holder), expired
 *   (renewTime + leaseDurationSeconds < now) or already its own;
 * - the leader renews it every retry period; if no renewal succeeds within the renew deadline, it
 *   stops leading and the caller must exit, because another replica may take over once the lease
 *   expires (lease duration > renew deadline leaves the margin that prevents two leaders);
 * - every write carries the resourceVersion that was read, so of two candidates racing, the API
 *   server accepts one and answers 409 to the other.
 * Expiry compares the holder's renewTime with the local clock, so replicas' clocks must agree to
 * well within (lease duration - renew deadline); NTP on cluster nodes gives that.
 */

/** The three calls of client-node's CoordinationV1Api that election needs; tests pass a fake. */
export interface LeaseApi {
  readNamespacedLease(request: { name: string; namespace: string }): Promise<V1Lease>;
  createNamespacedLease(request: { namespace: string; body: V1Lease }): Promise<V1Lease>;
  replaceNamespacedLease(request: { name: string; namespace: string; body: V1Lease }): Promise<V1Lease>;
}

export interface LeaderElectorOptions {
  api: LeaseApi;
  namespace: string;
  /** Lease name; also the `name` label of leader_election_master_status. */
  name: string;
  /** Unique per replica, e.g. the pod name: two replicas with one identity would both lead. */
  identity: string;
  /** How long a lease stays valid after its last renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before giving up. Default 10 s. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /** Called once when this replica becomes leader: start the controllers. */
  onStartedLeading: () => void;
  /** Called once when leadership is lost (not on `stop`/`release`): the caller should exit at once. */
  onStoppedLeading: () => void;
  /** Called when another holder is observed (including after it changes). */
  onNewLeader?: (identity: string) => void;
  metrics?: RuntimeMetrics;
  logger?: Logger;
  /** Source of randomness for the acquire jitter; tests replace it. */
  random?: () => number;
}

// client-go's JitterFactor: candidates retry at retryPeriod x [1, 2.2) so they do not all hit the API together.
const ACQUIRE_JITTER_FACTOR = 1.2;

export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly random: () => number;
  private started = false;
  private stopped = false;
  private leading = false;
  private observedHolder = "";
  private inFlightAttempt: Promise<boolean> | undefined;
  private wakeSleeper: (() => void) | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.random = options.random ?? Math.random;
    if (!(this.retryPeriodMs > 0)) throw new RangeError("retryPeriodMs must be > 0");
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new RangeError("leaseDurationMs must be greater than renewDeadlineMs");
    }
    if (!(this.renewDeadlineMs > ACQUIRE_JITTER_FACTOR * this.retryPeriodMs)) {
      throw new RangeError(`renewDeadlineMs must be greater than ${ACQUIRE_JITTER_FACTOR} x retryPeriodMs`);
    }
    options.metrics?.leaderElectionMasterStatus.set({ name: options.name }, 0);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Tries to acquire the lease until it succeeds, then renews it. Resolves when leadership is lost
   * (after `onStoppedLeading`) or after `stop`/`release`.
   */
  async run(): Promise<void> {
    if (this.started) throw new Error("LeaderElector.run may only be called once");
    this.started = true;

    while (!this.stopped) {
      if (await this.attempt(this.renewDeadlineMs)) break;
      await this.sleep(this.retryPeriodMs * (1 + ACQUIRE_JITTER_FACTOR * this.random()));
    }
    if (this.stopped) return;
    this.setLeading(true);
    this.options.logger?.info("acquired lease", { lease: this.leaseRef(), identity: this.options.identity });
    this.options.onStartedLeading();

    let renewedAt = Date.now();
    while (!this.stopped) {
      await this.sleep(this.retryPeriodMs);
      if (this.stopped) return;
      // A hung request must not outlive the deadline: it is given only the time left.
      const remainingMs = this.renewDeadlineMs - (Date.now() - renewedAt);
      if (remainingMs > 0 && (await this.attempt(remainingMs))) {
        renewedAt = Date.now();
        continue;
      }
      if (this.stopped) return;
      if (Date.now() - renewedAt >= this.renewDeadlineMs) {
        this.stopped = true;
        this.setLeading(false);
        this.options.logger?.warn("lost lease: could not renew it within the renew deadline", {
          lease: this.leaseRef(),
          renewDeadlineMs: this.renewDeadlineMs,
        });
        this.options.onStoppedLeading();
        return;
      }
    }
  }

  /** Stops acquiring and renewing, without touching the lease (it expires after the lease duration). */
  stop(): void {
    this.stopped = true;
    this.wakeSleeper?.();
  }

  /**
   * For a graceful shutdown: stops, then gives the lease up (no holder, a 1-second duration) so the
   * next replica takes over within one retry period instead of waiting for expiry. Best effort: on
   * failure the lease simply expires. Does not call `onStoppedLeading`.
   */
  async release(): Promise<void> {
    this.stop();
    await this.inFlightAttempt;
    this.setLeading(false);
    try {
      await withTimeout(this.giveUpLease(), this.renewDeadlineMs);
    } catch (error) {
      this.options.logger?.warn("could not release lease; it will expire", {
        lease: this.leaseRef(),
        error: describeError(error),
      });
    }
  }

  private async giveUpLease(): Promise<void> {
    const { api, name, namespace, identity } = this.options;
    const current = await api.readNamespacedLease({ name, namespace });
    if ((current.spec?.holderIdentity ?? "") !== identity) return;
    const now = toMicroTime(Date.now());
    const body: V1Lease = {
      ...current,
      spec: {
        ...current.spec,
        holderIdentity: "",
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      },
    };
    await api.replaceNamespacedLease({ name, namespace, body });
    this.options.logger?.info("released lease", { lease: this.leaseRef() });
  }

  /** One acquire-or-renew attempt, failing if it takes longer than `timeoutMs`. */
  private async attempt(timeoutMs: number): Promise<boolean> {
    const attempt = withTimeout(this.tryAcquireOrRenew(), timeoutMs).catch((error: unknown) => {
      this.options.logger?.debug("lease attempt failed", {
        lease: this.leaseRef(),
        error: describeError(error),
      });
      return false;
    });
    this.inFlightAttempt = attempt;
    try {
      return await attempt;
    } finally {
      if (this.inFlightAttempt === attempt) this.inFlightAttempt = undefined;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, name, namespace, identity } = this.options;
    const leaseDurationSeconds = Math.ceil(this.leaseDurationMs / 1000);
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
      const now = toMicroTime(Date.now());
      const body: V1Lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      // A 409 here means another candidate created it first; the caller retries and reads it.
      await api.createNamespacedLease({ namespace, body });
      this.observeHolder(identity);
      return true;
    }

    const spec: V1LeaseSpec = current.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    this.observeHolder(holder);
    const ours = holder === identity;
    if (holder !== "" && !ours && !isExpired(spec, Date.now(), leaseDurationSeconds)) return false;

    const now = Date.now();
    const body: V1Lease = {
      ...current,
      // Keeps the resourceVersion read above: if anyone wrote in between, the API server answers 409.
      metadata: { ...current.metadata },
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: ours ? toMicroTime(parseTime(spec.acquireTime) ?? now) : toMicroTime(now),
        renewTime: toMicroTime(now),
        leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    await api.replaceNamespacedLease({ name, namespace, body });
    this.observeHolder(identity);
    return true;
  }

  private observeHolder(holder: string): void {
    if (holder === this.observedHolder) return;
    this.observedHolder = holder;
    if (holder !== "") this.options.onNewLeader?.(holder);
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.metrics?.leaderElectionMasterStatus.set({ name: this.options.name }, leading ? 1 : 0);
  }

  /** Waits `ms`, or less if `stop` is called meanwhile. */
  private sleep(ms: number): Promise<void> {
    const sleep = wakeableSleep(ms);
    this.wakeSleeper = sleep.wake;
    return sleep.done;
  }

  private leaseRef(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }
}

/**
 * A Lease timestamp for the API server. Lease times are MicroTime, which the API server parses with
 * exactly six fractional digits: a plain Date would go out as `...00.000Z` (three digits) and be
 * rejected. client-node 1.4.0 passes V1MicroTime values through its serializer untouched, and
 * JSON.stringify then calls V1MicroTime's toISOString, which pads to microseconds
 * (`2026-01-01T00:00:00.123000Z`).
 */
export function toMicroTime(epochMs: number): V1MicroTime {
  return new V1MicroTime(epochMs);
}

/**
 * Epoch milliseconds of a Lease time. client-node 1.4.0 declares these fields as V1MicroTime (a Date)
 * but, having no deserializer for that type, hands back the JSON string: accept either.
 */
export function parseTime(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function isExpired(spec: V1LeaseSpec, nowMs: number, fallbackDurationSeconds: number): boolean {
  const renewedAt = parseTime(spec.renewTime);
  if (renewedAt === undefined) return true;
  const durationSeconds = spec.leaseDurationSeconds ?? fallbackDurationSeconds;
  return renewedAt + durationSeconds * 1000 < nowMs;
}

/** HTTP status of a client-node ApiException (checked by shape, so a second copy of the module still matches). */
function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "number" ? error.code : undefined;
}

function describeError(error: unknown): string {
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  return status === undefined ? message : `HTTP ${status}: ${message}`;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
