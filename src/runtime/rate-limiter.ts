/**
 * Client-side token bucket, like client-go's `--kube-api-qps` / `--kube-api-burst`: up to `burst`
 * calls pass at once, then calls are spaced to `qps` per second. It keeps a burst of reconciles
 * (a resync of thousands of objects, say) from flooding the API server and being throttled by
 * its priority-and-fairness limits.
 *
 * Each `acquire` reserves the next token, letting the bucket go negative, and sleeps until that
 * token would have been refilled (the reservation scheme of Go's x/time/rate). Waiters are served
 * in call order without a queue of their own.
 */

export interface RateLimiterOptions {
  /** Sustained rate in tokens per second; `Infinity` disables limiting. */
  qps: number;
  /** Tokens available at once, and the bucket's size. */
  burst: number;
}

export class TokenBucketRateLimiter {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private refilledAt: number;

  constructor(options: RateLimiterOptions) {
    if (!(options.qps > 0)) throw new RangeError(`qps must be > 0, got ${options.qps}`);
    if (!Number.isFinite(options.burst) || options.burst < 1) {
      throw new RangeError(`burst must be a finite number >= 1, got ${options.burst}`);
    }
    this.qps = options.qps;
    this.burst = options.burst;
    this.tokens = options.burst;
    this.refilledAt = Date.now();
  }

  /** Resolves when the caller may make one request. */
  acquire(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** Takes a token if one is available now; never waits. */
  tryAcquire(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token would be available without reserving it. */
  waitTimeMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }

  private reserve(): number {
    if (this.qps === Number.POSITIVE_INFINITY) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  private refill(): void {
    const now = Date.now();
    const elapsedSeconds = Math.max(0, now - this.refilledAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedSeconds * this.qps);
    this.refilledAt = now;
  }
}
