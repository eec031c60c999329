// The supported Kubernetes versions are said in four places; they must agree.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CRD_PATH } from "../../../hack/gen-types.js";
import { KUBE_VERSION_ANNOTATION, OLDEST_TESTED_KUBERNETES } from "../../../src/api/constants.js";

const root = new URL("../../../", import.meta.url);
const { major, minor } = OLDEST_TESTED_KUBERNETES;
const range = `>=${major}.${minor}.0-0`;

describe("the oldest tested Kubernetes", () => {
  it("is the oldest version the plane can be built at (test/tools/kubernetes/)", () => {
    const built = readdirSync(new URL("test/tools/kubernetes/", root), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
    expect(built[0]).toBe(`${major}.${minor}`);
  });

  it("is what the chart's kubeVersion admits", () => {
    const chart = parse(
      readFileSync(new URL("manifests/chart/container-instances-operator/Chart.yaml", root), "utf8"),
    ) as { kubeVersion: string };
    expect(chart.kubeVersion).toBe(range);
  });

  it("is what the CRD's annotation says", () => {
    const crd = parse(readFileSync(CRD_PATH, "utf8")) as {
      metadata: { annotations: Record<string, string> };
    };
    expect(crd.metadata.annotations[KUBE_VERSION_ANNOTATION]).toBe(range);
  });
});
