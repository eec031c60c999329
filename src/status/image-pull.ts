// What to tell a user whose image does not pull. The kubelet reports every pull failure as
// ErrImagePull or ImagePullBackOff, with the registry's answer buried in its message; a user
// needs to know which of the three usual causes it is, in ACI's own terms.

import type { ContainerGroup } from "../api/types.js";

/** The registry host (host[:port]) an image reference pulls from, as containerd resolves it. */
export function imageRegistry(image: string): string {
  const first = image.split("/")[0] ?? "";
  const hasHost =
    image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return hasHost ? first : "docker.io";
}

const REFUSED =
  /\b401\b|unauthorized|authentication required|authorization failed|denied|no basic auth credentials/i;
const NOT_FOUND = /\b404\b|not found|manifest unknown|name unknown/i;

/** Advice for a failed pull of `image`, given the kubelet's message about it. */
export function imagePullAdvice(group: ContainerGroup, image: string, message: string | undefined): string {
  const registry = imageRegistry(image);
  const credentials = (group.spec.imageRegistryCredentials ?? []).find((c) => c.server === registry);
  if (message && REFUSED.test(message)) {
    return credentials
      ? `the registry ${registry} refused the credentials in spec.imageRegistryCredentials (server ${registry}); ` +
          "correct their username and password"
      : `the registry ${registry} refused an anonymous pull; add its credentials to spec.imageRegistryCredentials ` +
          `with server ${registry} (exactly the host[:port] the image names)`;
  }
  if (message && NOT_FOUND.test(message)) {
    return `the registry ${registry} has no image ${image}; check the image name and tag`;
  }
  return credentials
    ? `check the image name and tag, and that ${registry} answers`
    : "check the image name and tag, and spec.imageRegistryCredentials for a private registry";
}
