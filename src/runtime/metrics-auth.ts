// Who may read /metrics, decided the way controller-runtime's secure metrics filter does: the
// bearer token goes through a TokenReview, the user it names through a SubjectAccessReview for
// `get` on the non-resource URL. Both answers are cached briefly, so that a Prometheus scraping
// every 30 s costs the API server two reviews every few minutes, and a flood of bad tokens costs
// it one review per distinct token per cache lifetime.
import { createHash } from "node:crypto";

export interface ReviewedUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** The two reviews, as the API server answers them (status only). */
export interface Reviewer {
  /** TokenReview: the user, or undefined when the token is not valid. */
  authenticate(token: string): Promise<ReviewedUser | undefined>;
  /** SubjectAccessReview: whether `user` may `verb` the non-resource `path`, and why not. */
  authorize(user: ReviewedUser, verb: string, path: string): Promise<{ allowed: boolean; reason?: string }>;
}

export type AccessDecision =
  | { status: 200; user: string }
  | { status: 401; message: string }
  | { status: 403; message: string }
  | { status: 500; message: string };

export interface CacheTtls {
  authenticatedMs: number;
  unauthenticatedMs: number;
  allowedMs: number;
  deniedMs: number;
}

/** controller-runtime's and kube-apiserver's delegating defaults, roughly: see docs/install.md. */
export const DEFAULT_TTLS: CacheTtls = {
  authenticatedMs: 60_000,
  unauthenticatedMs: 10_000,
  allowedMs: 300_000,
  deniedMs: 30_000,
};

/** Entries kept per cache; the oldest go first, so random tokens cannot grow the heap. */
const MAX_ENTRIES = 1024;

class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expires: this.now() + ttlMs });
  }
}

export class MetricsAccess {
  private readonly tokens: TtlCache<ReviewedUser | null>;
  private readonly decisions: TtlCache<{ allowed: boolean; reason?: string }>;

  constructor(
    private readonly reviewer: Reviewer,
    private readonly path = "/metrics",
    private readonly ttls: CacheTtls = DEFAULT_TTLS,
    now: () => number = Date.now,
  ) {
    this.tokens = new TtlCache(now);
    this.decisions = new TtlCache(now);
  }

  /** The answer for a request's Authorization header. */
  async decide(authorization: string | undefined): Promise<AccessDecision> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    const token = match?.[1];
    if (!token) {
      return {
        status: 401,
        message: "Unauthorized: send a ServiceAccount token as 'Authorization: Bearer <token>'",
      };
    }
    // Tokens are never kept, only their digests.
    const tokenKey = createHash("sha256").update(token).digest("hex");
    let user: ReviewedUser | null | undefined = this.tokens.get(tokenKey);
    if (user === undefined) {
      try {
        user = (await this.reviewer.authenticate(token)) ?? null;
      } catch (e) {
        return { status: 500, message: `TokenReview failed: ${e instanceof Error ? e.message : String(e)}` };
      }
      this.tokens.set(tokenKey, user, user ? this.ttls.authenticatedMs : this.ttls.unauthenticatedMs);
    }
    if (user === null) return { status: 401, message: "Unauthorized: the token is not valid" };

    const userKey = JSON.stringify([user.username, user.uid ?? "", [...(user.groups ?? [])].sort()]);
    let decision = this.decisions.get(userKey);
    if (decision === undefined) {
      try {
        decision = await this.reviewer.authorize(user, "get", this.path);
      } catch (e) {
        return {
          status: 500,
          message: `SubjectAccessReview failed: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
      this.decisions.set(userKey, decision, decision.allowed ? this.ttls.allowedMs : this.ttls.deniedMs);
    }
    if (!decision.allowed) {
      const why = decision.reason ? ` (${decision.reason})` : "";
      return {
        status: 403,
        message: `Forbidden: user "${user.username}" may not get ${this.path}${why}; bind it to the metrics-reader ClusterRole`,
      };
    }
    return { status: 200, user: user.username };
  }
}
