import { describe, expect, it } from "vitest";
import { imagePullAdvice, imageRegistry } from "../../../src/status/image-pull.js";
import { aGroup } from "../fixtures.js";

// The kubelet's words for a refused pull, as containerd 2.2 writes them (seen on the real node).
const REFUSED =
  'failed to pull and unpack image "127.0.0.1:5000/private/busybox:1.35": failed to resolve reference ' +
  '"127.0.0.1:5000/private/busybox:1.35": pull access denied, repository does not exist or may require authorization: ' +
  "server message: insufficient_scope: authorization failed";

describe("imageRegistry", () => {
  it.each([
    ["nginx:1.27", "docker.io"],
    ["library/nginx", "docker.io"],
    ["mcr.microsoft.com/azuredocs/aci-helloworld:latest", "mcr.microsoft.com"],
    ["127.0.0.1:5000/private/busybox:1.35", "127.0.0.1:5000"],
    ["localhost/busybox:1.35", "localhost"],
  ])("%s pulls from %s", (image, registry) => {
    expect(imageRegistry(image)).toBe(registry);
  });
});

describe("imagePullAdvice", () => {
  const image = "127.0.0.1:5000/private/busybox:1.35";
  it("says the registry refused the group's credentials, naming the server, and never the password", () => {
    const group = aGroup({
      imageRegistryCredentials: [{ server: "127.0.0.1:5000", username: "cio", password: "wrong-one" }],
    });
    const advice = imagePullAdvice(group, image, REFUSED);
    expect(advice).toContain(
      "refused the credentials in spec.imageRegistryCredentials (server 127.0.0.1:5000)",
    );
    expect(advice).not.toContain("wrong-one");
  });

  it("asks for credentials when the group has none for the image's registry", () => {
    const group = aGroup({
      imageRegistryCredentials: [{ server: "other:5000", username: "u", password: "p" }],
    });
    expect(imagePullAdvice(group, image, "unexpected status: 401 Unauthorized")).toContain(
      "add its credentials to spec.imageRegistryCredentials with server 127.0.0.1:5000",
    );
  });

  it("says the image is not there on a 404", () => {
    expect(imagePullAdvice(aGroup(), "nginx:nope", "docker.io/library/nginx:nope: not found")).toContain(
      "has no image nginx:nope",
    );
  });

  it("falls back to the general advice when the message says nothing more", () => {
    expect(imagePullAdvice(aGroup(), "nginx:1.27", undefined)).toContain("imageRegistryCredentials");
  });
});
