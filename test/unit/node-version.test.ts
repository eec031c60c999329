// One Node.js everywhere: the version .node-version pins (hack/nodejs.sh installs it for make) is
// the one the suite runs on, the one package.json's engines admits, and the image's major.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), "utf8");
const pinned = read(".node-version").trim();
const major = pinned.split(".")[0];

describe("the pinned Node.js", () => {
  it("is what the suite runs on (run it through make, which puts the pinned Node first)", () => {
    expect(process.versions.node).toBe(pinned);
  });

  it("is the major that engines admits", () => {
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines;
    expect(engines.node).toBe(`^${major}.0.0`);
  });

  it("is the major of the image's build and runtime stages", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${pinned}-bookworm-slim`);
    expect(dockerfile).toContain(`ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs${major}-debian12:nonroot`);
  });
});
