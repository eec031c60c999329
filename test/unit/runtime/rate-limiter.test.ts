import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TokenBucketRateLimiter } from "../../../src/runtime/rate-limiter.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `count` acquires at once and records when each resolves, relative to now. */
function acquireMany(limiter: TokenBucketRateLimiter, count: number): number[] {
  const startedAt = Date.now();
  const resolvedAt: number[] = [];
  for (let i = 0; i < count; i++) {
    void limiter.acquire().then(() => resolvedAt.push(Date.now() - startedAt));
  }
  return resolvedAt;
}

describe("TokenBucketRateLimiter", () => {
  it("lets a burst through at once, then spaces calls to the QPS", async () => {
    const limiter = new TokenBucketRateLimiter({ qps: 10, burst: 3 });
    const resolvedAt = acquireMany(limiter, 6);
    await vi.advanceTimersByTimeAsync(0);
    expect(resolvedAt).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(resolvedAt).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it("refills up to the burst while idle, never beyond", async () => {
    const limiter = new TokenBucketRateLimiter({ qps: 20, burst: 2 });
    acquireMany(limiter, 2);
    await vi.advanceTimersByTimeAsync(60_000);
    const resolvedAt = acquireMany(limiter, 3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(resolvedAt).toEqual([0, 0, 50]);
  });

  it("serves waiters in the order they called", async () => {
    const limiter = new TokenBucketRateLimiter({ qps: 1, burst: 1 });
    const order: string[] = [];
    for (const name of ["a", "b", "c"]) void limiter.acquire().then(() => order.push(name));
    await vi.advanceTimersByTimeAsync(2000);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("tryAcquire takes a token only when one is available", () => {
    const limiter = new TokenBucketRateLimiter({ qps: 2, burst: 1 });
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    expect(limiter.waitTimeMs()).toBe(500);
    vi.advanceTimersByTime(500);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it("does not limit with an infinite QPS", async () => {
    const limiter = new TokenBucketRateLimiter({ qps: Number.POSITIVE_INFINITY, burst: 1 });
    const resolvedAt = acquireMany(limiter, 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(resolvedAt).toHaveLength(100);
  });

  it("rejects a QPS or burst that cannot work", () => {
    expect(() => new TokenBucketRateLimiter({ qps: 0, burst: 1 })).toThrow(/qps/);
    expect(() => new TokenBucketRateLimiter({ qps: 5, burst: 0 })).toThrow(/burst/);
  });
});
