import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applyCrds, createNamespace, deleteNamespace, kubectl, repoRoot } from "../harness.js";

const dir = `${repoRoot}/examples`;
const examples = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("examples", () => {
  let ns = "";
  beforeAll(async () => {
    await applyCrds();
    ns = await createNamespace("api-examples");
  });
  afterAll(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("cover every feature of the contract", () => {
    expect(examples.length).toBeGreaterThanOrEqual(12);
  });

  it.each(examples)("%s is namespace-less and accepted by the API server (dry run)", async (file) => {
    const doc = parse(readFileSync(`${dir}/${file}`, "utf8")) as { metadata?: { namespace?: string } };
    expect(doc.metadata?.namespace).toBeUndefined();
    const r = await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", `${dir}/${file}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/containergroup\.containerinstances\.dev\/\S+ created \(server dry run\)/);
  });
});
