// Compiles a Convex functions folder the way the Convex CLI bundles it, into a temporary folder,
// and imports the results: the modules map convex-test needs, the schema and the crons.
import { build } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Inside the package, so that the bundles' `import "convex/..."` resolves to the package's copy.
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/", import.meta.url));

const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;

/** The CLI's entry points: every source file except _generated/, schema, dotfiles, names with two dots. */
export function entryPoints(functionsDir) {
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name.startsWith(".")) continue;
      if (statSync(full).isDirectory()) {
        if (name !== "_generated" && name !== "node_modules") walk(full);
        continue;
      }
      const relative = path.relative(functionsDir, full);
      if (!SOURCE.test(name) || name.split(".").length > 2) continue;
      if (/^schema\.[^.]+$/.test(relative)) continue;
      found.push(relative);
    }
  };
  walk(functionsDir);
  return found.sort();
}

// When the folder has no generated code (it is not committed, or not yet written), its imports
// resolve to what Convex's codegen writes at run time: untyped references and the generic builders.
const GENERATED_STUBS = {
  api: 'import { anyApi, componentsGeneric } from "convex/server"; export const api = anyApi; export const internal = anyApi; export const components = componentsGeneric();',
  server:
    'export { queryGeneric as query, internalQueryGeneric as internalQuery, mutationGeneric as mutation, internalMutationGeneric as internalMutation, actionGeneric as action, internalActionGeneric as internalAction, httpActionGeneric as httpAction } from "convex/server";',
  dataModel: "export {};",
};

function generatedFallback(functionsDir) {
  return {
    name: "generated-fallback",
    setup(b) {
      b.onResolve({ filter: /_generated\/(api|server|dataModel)(\.js)?$/ }, (args) => {
        const base = path.resolve(args.resolveDir, args.path).replace(/\.js$/, "");
        const exists = [".ts", ".js"].some((ext) => existsSync(base + ext));
        if (exists || !base.startsWith(path.join(functionsDir, "_generated"))) return undefined;
        return { path: path.basename(base), namespace: "generated-stub" };
      });
      b.onLoad({ filter: /.*/, namespace: "generated-stub" }, (args) => ({
        contents: GENERATED_STUBS[args.path],
        loader: "js",
        resolveDir: functionsDir,
      }));
    },
  };
}

/** Builds left behind by a deployment that was killed (a day old, so never one in use). */
function removeStaleBuilds() {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(CACHE)) {
    const full = path.join(CACHE, name);
    if (name.startsWith("test-deployment-") && statSync(full).mtimeMs < dayAgo) rmSync(full, { recursive: true, force: true });
  }
}

/**
 * Bundles each entry point (and the schema) with esbuild like `npx convex deploy` does: platform
 * browser, ESM, `convex` external so that the functions and convex-test share one `convex`.
 */
export async function compileFunctions(functionsDir) {
  const dir = path.resolve(functionsDir);
  mkdirSync(CACHE, { recursive: true });
  removeStaleBuilds();
  const outDir = mkdtempSync(path.join(CACHE, "test-deployment-"));
  const entries = entryPoints(dir);
  const withSchema = ["schema.ts", "schema.js"].filter((f) => existsSync(path.join(dir, f)));
  await build({
    absWorkingDir: dir,
    entryPoints: [...entries, ...withSchema],
    outdir: outDir,
    outbase: dir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "esnext",
    outExtension: { ".js": ".mjs" },
    external: ["convex", "convex/*"],
    plugins: [generatedFallback(dir)],
    logLevel: "silent",
  });
  const load = async (relative) => import(pathToFileURL(path.join(outDir, relative.replace(SOURCE, ".mjs"))).href);
  const modules = {};
  for (const entry of entries) {
    const module = await load(entry);
    modules[`./${entry.replace(SOURCE, ".js")}`] = async () => module;
  }
  modules["./_generated/api.js"] = async () => ({});
  const schema = withSchema.length ? (await load(withSchema[0])).default : undefined;
  const cronModule = entries.find((e) => /^crons\.[^.]+$/.test(e));
  const crons = cronModule ? (await modules[`./${cronModule.replace(SOURCE, ".js")}`]()).default : undefined;
  return { modules, schema, crons, entries, cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}
