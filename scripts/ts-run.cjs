#!/usr/bin/env node
// @ts-check
/**
 * `node scripts/ts-run.cjs <entry.ts> [args...]`: runs one of the project's TypeScript entry
 * points on plain Node, without a build step to remember.
 *
 * Each `.ts` file is compiled with esbuild the first time it is loaded and the result is kept in
 * `node_modules/.cache/eks-platform/ts/`, under a SHA-256 of the compiler settings and the
 * file's content: an unchanged file is read back from the cache, a changed one is compiled
 * again, so the cache can never serve a stale file. Modules keep their real file names, so
 * `__dirname`, module identity and relative requires behave as under tsx.
 *
 * Why not tsx: its ESM loader hooks cost 2.5-3 s per process on this project (most of a 4.5 s
 * plan), and its CommonJS hook still re-checks its cache through esbuild (docs/performance.md).
 * On Node 22.1+ the V8 compile cache (`module.enableCompileCache`) is turned on for the same
 * directory tree: the SDKs' own JavaScript is then parsed once, not on every run.
 */
"use strict";
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { join, resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
/** Bump when the compile settings below change in a way the key does not capture. */
const CACHE_FORMAT = 1;
/** Node versions this project supports (package.json `engines`); README says the same. */
const SUPPORTED_NODE_MAJORS = [22, 24];

function cacheRoot() {
    return process.env.EKS_PLATFORM_CACHE_DIR ?? join(ROOT, "node_modules", ".cache", "eks-platform");
}

function esbuildVersion() {
    return JSON.parse(readFileSync(require.resolve("esbuild/package.json", { paths: [ROOT] }), "utf8")).version;
}

/** @type {{ transformSync(code: string, options: object): { code: string } } | undefined} */
let esbuild;
let settingsKey = "";

/** esbuild's view of the project's tsconfig: only options that change emitted JavaScript. */
const COMPILE_OPTIONS = {
    loader: "ts",
    format: "cjs",
    platform: "node",
    target: "node22",
    tsconfigRaw: { compilerOptions: { target: "es2022", esModuleInterop: true, useDefineForClassFields: true } },
};

/**
 * The compiled JavaScript of `source` (the content of `filename`), from the cache or compiled now.
 * @param {string} source
 * @param {string} filename
 * @param {string} directory
 */
function compiled(source, filename, directory) {
    if (!settingsKey) settingsKey = `${CACHE_FORMAT}\0${esbuildVersion()}\0${JSON.stringify(COMPILE_OPTIONS)}`;
    const key = createHash("sha256").update(settingsKey).update("\0").update(source).digest("hex");
    const file = join(directory, `${key}.js`);
    try {
        return readFileSync(file, "utf8");
    } catch {
        const compiler = (esbuild ??= require(require.resolve("esbuild", { paths: [ROOT] })));
        const code = compiler.transformSync(source, { ...COMPILE_OPTIONS, sourcefile: filename }).code;
        mkdirSync(directory, { recursive: true });
        // Several processes (vitest workers, CI jobs) may compile the same file at once: rename is atomic.
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, code);
        renameSync(partial, file);
        return code;
    }
}

/** Registers the `.ts` loader (CommonJS) for this process. */
function registerTypeScript() {
    const directory = join(cacheRoot(), "ts");
    /** @type {any} */ (Module)._extensions[".ts"] = function loadTypeScript(/** @type {any} */ module, /** @type {string} */ filename) {
        module._compile(compiled(readFileSync(filename, "utf8"), filename, directory), filename);
    };
}

function checkNodeVersion() {
    const major = Number(process.versions.node.split(".")[0]);
    if (SUPPORTED_NODE_MAJORS.includes(major)) return;
    process.stderr.write(
        `eks-platform: Node.js ${process.version} is not supported (supported: ${SUPPORTED_NODE_MAJORS.join(", ")}). ` +
            "Run it through npm (`npm run ...`): npm ci installs a supported Node into node_modules/.bin.\n",
    );
    process.exit(2);
}

function main() {
    const [entry, ...args] = process.argv.slice(2);
    if (!entry) {
        process.stderr.write("usage: node scripts/ts-run.cjs <entry.ts> [args...]\n");
        process.exit(2);
    }
    checkNodeVersion();
    // Node 22.1+: V8 keeps compiled bytecode of every module (the SDKs included) between runs.
    /** @type {any} */ (Module).enableCompileCache?.(join(cacheRoot(), "v8"));
    registerTypeScript();
    const file = resolve(entry);
    process.argv = [process.argv[0], file, ...args];
    // Loaded as the main module, so the entry's `require.main === module` holds as under tsx.
    /** @type {any} */ (Module)._load(file, null, true);
}

if (require.main === module) main();

module.exports = { compiled, registerTypeScript, CACHE_FORMAT, SUPPORTED_NODE_MAJORS };
