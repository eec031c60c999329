// What the API server's /version says, and whether it is older than what the operator is tested on.

/** The API server's `/version` body, the fields read here. */
export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

/**
 * A warning when the server is older than `oldest` (or says a version that cannot be read), else
 * undefined. Minors like "35+" (GKE, EKS) count as 35.
 */
export function olderServerWarning(
  version: ServerVersion,
  oldest: { major: number; minor: number },
): string | undefined {
  const major = Number.parseInt(version.major, 10);
  const minor = Number.parseInt(version.minor, 10);
  const tested = `${oldest.major}.${oldest.minor}`;
  if (Number.isNaN(major) || Number.isNaN(minor)) {
    return `the API server reports version ${version.gitVersion || "(none)"}, which cannot be compared with ${tested}, the oldest Kubernetes the operator is tested on`;
  }
  if (major > oldest.major || (major === oldest.major && minor >= oldest.minor)) return undefined;
  return `the API server runs Kubernetes ${version.gitVersion}, older than ${tested}, the oldest the operator is tested on; upgrade the cluster, or expect fields the operator sets to be refused or dropped`;
}
