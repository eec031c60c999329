// The Reviewer of metrics-auth.ts against the API server: TokenReview and SubjectAccessReview
// (the operator's ServiceAccount needs `create` on both; the chart grants it).
import type { KubeClient } from "./apply.js";
import type { ReviewedUser, Reviewer } from "./metrics-auth.js";

interface TokenReviewStatus {
  status?: { authenticated?: boolean; user?: ReviewedUser; error?: string };
}

interface SubjectAccessReviewStatus {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export function apiReviewer(client: KubeClient): Reviewer {
  return {
    async authenticate(token) {
      const review = await client.postPath<TokenReviewStatus>("/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      });
      const status = review.status;
      return status?.authenticated && status.user?.username ? status.user : undefined;
    },
    async authorize(user, verb, path) {
      const review = await client.postPath<SubjectAccessReviewStatus>(
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: user.username,
            ...(user.uid ? { uid: user.uid } : {}),
            ...(user.groups ? { groups: user.groups } : {}),
            ...(user.extra ? { extra: user.extra } : {}),
            nonResourceAttributes: { path, verb },
          },
        },
      );
      const status = review.status;
      const reason = status?.reason || status?.evaluationError;
      return { allowed: status?.allowed === true && status.denied !== true, ...(reason ? { reason } : {}) };
    },
  };
}
