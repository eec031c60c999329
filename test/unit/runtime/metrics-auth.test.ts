import { describe, expect, it } from "vitest";
import {
  DEFAULT_TTLS,
  MetricsAccess,
  type ReviewedUser,
  type Reviewer,
} from "../../../src/runtime/metrics-auth.js";

/** A reviewer that counts its calls: the caching is what is under test here. */
function counting(users: Record<string, ReviewedUser>, allowed: Set<string>) {
  const calls = { authenticate: 0, authorize: 0 };
  const reviewer: Reviewer = {
    async authenticate(token) {
      calls.authenticate++;
      if (token === "boom") throw new Error("connection refused");
      return users[token];
    },
    async authorize(user) {
      calls.authorize++;
      return allowed.has(user.username)
        ? { allowed: true }
        : { allowed: false, reason: "no RBAC policy matched" };
    },
  };
  return { reviewer, calls };
}

describe("MetricsAccess", () => {
  const users = {
    good: { username: "system:serviceaccount:monitoring:prometheus", groups: ["system:serviceaccounts"] },
    other: { username: "system:serviceaccount:ops:nobody" },
  };
  const allowed = new Set(["system:serviceaccount:monitoring:prometheus"]);

  it("answers 401 without a bearer token or with a bad one, 403 when denied, 200 when allowed", async () => {
    const { reviewer } = counting(users, allowed);
    const access = new MetricsAccess(reviewer);
    expect((await access.decide(undefined)).status).toBe(401);
    expect((await access.decide("Basic dXNlcjpwdw==")).status).toBe(401);
    expect((await access.decide("Bearer nope")).status).toBe(401);
    const denied = await access.decide("Bearer other");
    expect(denied).toMatchObject({ status: 403 });
    expect(denied.status === 403 && denied.message).toContain(
      'user "system:serviceaccount:ops:nobody" may not get /metrics',
    );
    expect(await access.decide("bearer good")).toEqual({ status: 200, user: users.good.username });
  });

  it("answers 500 when a review cannot be made, and caches nothing for it", async () => {
    const { reviewer, calls } = counting(users, allowed);
    const access = new MetricsAccess(reviewer);
    expect(await access.decide("Bearer boom")).toMatchObject({ status: 500 });
    expect(await access.decide("Bearer boom")).toMatchObject({ status: 500 });
    expect(calls.authenticate).toBe(2);
  });

  it("reviews each token and each user once per cache lifetime", async () => {
    let now = 0;
    const { reviewer, calls } = counting(users, allowed);
    const access = new MetricsAccess(reviewer, "/metrics", DEFAULT_TTLS, () => now);
    for (let i = 0; i < 5; i++) await access.decide("Bearer good");
    expect(calls).toEqual({ authenticate: 1, authorize: 1 });
    now += DEFAULT_TTLS.authenticatedMs + 1; // the token again, the allow still cached
    await access.decide("Bearer good");
    expect(calls).toEqual({ authenticate: 2, authorize: 1 });
    for (let i = 0; i < 3; i++) await access.decide("Bearer nope");
    expect(calls.authenticate).toBe(3);
    now += DEFAULT_TTLS.unauthenticatedMs + 1;
    await access.decide("Bearer nope");
    expect(calls.authenticate).toBe(4);
  });

  it("keeps denials shorter than allows, so a new RoleBinding takes effect within 30 s", async () => {
    let now = 0;
    const granted = new Set<string>();
    const { reviewer, calls } = counting(users, granted);
    const access = new MetricsAccess(reviewer, "/metrics", DEFAULT_TTLS, () => now);
    expect((await access.decide("Bearer other")).status).toBe(403);
    granted.add(users.other.username);
    now += DEFAULT_TTLS.deniedMs - 1;
    expect((await access.decide("Bearer other")).status).toBe(403);
    now += DEFAULT_TTLS.authenticatedMs; // past both the denial and the token
    expect((await access.decide("Bearer other")).status).toBe(200);
    expect(calls.authorize).toBe(2);
  });

  it("holds at most 1024 tokens, so random tokens cannot grow the heap", async () => {
    const { reviewer, calls } = counting(users, allowed);
    const access = new MetricsAccess(reviewer);
    await access.decide("Bearer good");
    for (let i = 0; i < 1024; i++) await access.decide(`Bearer random-${i}`);
    await access.decide("Bearer good"); // evicted: reviewed again
    expect(calls.authenticate).toBe(1 + 1024 + 1);
  });
});
