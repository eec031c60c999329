import { describe, expect, it } from "vitest";
import { olderServerWarning } from "../../../src/runtime/server-version.js";

const oldest = { major: 1, minor: 35 };
const v = (major: string, minor: string) => ({ major, minor, gitVersion: `v${major}.${minor}.0` });

describe("olderServerWarning", () => {
  it("says nothing for the oldest tested version and anything newer", () => {
    expect(olderServerWarning(v("1", "35"), oldest)).toBeUndefined();
    expect(olderServerWarning(v("1", "37"), oldest)).toBeUndefined();
    expect(olderServerWarning(v("2", "0"), oldest)).toBeUndefined();
  });

  it("reads vendor minors like 35+ as 35", () => {
    expect(olderServerWarning(v("1", "35+"), oldest)).toBeUndefined();
    expect(olderServerWarning(v("1", "34+"), oldest)).toContain("older than 1.35");
  });

  it("names the server's version and the oldest tested one when it is older", () => {
    expect(olderServerWarning(v("1", "30"), oldest)).toMatch(/Kubernetes v1\.30\.0, older than 1\.35/);
  });

  it("warns when the version cannot be read", () => {
    expect(olderServerWarning({ major: "", minor: "", gitVersion: "" }, oldest)).toContain(
      "cannot be compared",
    );
  });
});
