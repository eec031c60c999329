import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podProblemOf } from "../../../src/controller/pods.js";

function refusal(code: number, message: string): ApiException<string> {
  return new ApiException(code, message, JSON.stringify({ kind: "Status", code, message }), {});
}

describe("podProblemOf", () => {
  it("turns a quota denial into QuotaExceeded with the API server's words", () => {
    const problem = podProblemOf(
      refusal(
        403,
        'pods "g" is forbidden: exceeded quota: small, requested: cpu=2, used: cpu=0, limited: cpu=1',
      ),
    );
    expect(problem?.reason).toBe("QuotaExceeded");
    expect(problem?.message).toContain("limited: cpu=1");
  });

  it("turns a missing RuntimeClass at admission into RuntimeClassNotFound", () => {
    const problem = podProblemOf(refusal(403, 'pod rejected: RuntimeClass "kata" not found'));
    expect(problem?.reason).toBe("RuntimeClassNotFound");
  });

  it("leaves the operator's own missing RBAC rule to retries and logs, not to the user", () => {
    const e = refusal(
      403,
      'pods is forbidden: User "system:serviceaccount:cio:op" cannot create resource "pods" in API group "" in the namespace "x"',
    );
    expect(podProblemOf(e)).toBeUndefined();
  });

  it("reports other admission refusals as PodRejected and passes server errors on", () => {
    expect(podProblemOf(refusal(422, "Pod is invalid"))?.reason).toBe("PodRejected");
    expect(podProblemOf(refusal(500, "etcd timeout"))).toBeUndefined();
  });
});
