import assert from "assert";
import { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";

const ROOT = new URL("../", import.meta.url);
const SRC = new URL("src/", ROOT).href;
/** Files over this many lines in src/ are to be split by job. */
const MAX_LINES = 300;
/** Files exempt from the line limit: generated ones. */
const LONG_FILES = new Set([
  "src/pages/assets.gen.ts",
]);

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/** The folder of src/ a module belongs to (a file directly in src/ is its own node). */
function nodeOf(specifier: string): string | null {
  if (!specifier.startsWith(SRC)) return null;
  return specifier.slice(SRC.length).split("/")[0];
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** Folder-level import edges of every module in src/ (from `deno info --json`). */
async function folderGraph(): Promise<Map<string, Map<string, string>>> {
  const root = fromFileUrl(ROOT);
  const pending = [`${root}main.ts`, ...await sourceFiles(`${root}src`)];
  const seen = new Set<string>();
  const edges = new Map<string, Map<string, string>>();
  for (const file of pending) {
    if (seen.has(toFileUrl(file).href)) continue;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", file],
      cwd: root,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.ok(out.success, `Cannot read the module graph of ${file}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    for (const module of info.modules) {
      seen.add(module.specifier);
      const from = nodeOf(module.specifier);
      if (from === null) continue;
      for (const dep of module.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          const to = target === undefined ? null : nodeOf(target);
          if (to === null || to === from) continue;
          const out = edges.get(from) ?? new Map<string, string>();
          edges.set(from, out);
          // One example import per edge, to name in a failure.
          if (!out.has(to)) {
            out.set(to, `${module.specifier.slice(SRC.length)} → ${target!.slice(SRC.length)}`);
          }
        }
      }
    }
  }
  return edges;
}

/** A cycle in the graph as its edges' example imports, or `null` when there is none. */
function findCycle(edges: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "open");
    path.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (state.get(next) === "open") {
        const loop = [...path.slice(path.indexOf(next)), next];
        return loop.slice(1).map((to, i) => edges.get(loop[i])!.get(to)!);
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of [...edges.keys()].sort()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

Deno.test("no two folders of src/ import each other, directly or around a circle", async () => {
  const cycle = findCycle(await folderGraph());
  assert.equal(cycle, null, `Import cycle between folders of src/:\n  ${cycle?.join("\n  ")}`);
});

Deno.test("no file in src/ is longer than 300 lines, except the listed ones", async () => {
  const root = fromFileUrl(ROOT);
  const long: string[] = [];
  for (const file of await sourceFiles(`${root}src`)) {
    const name = file.slice(root.length);
    const lines = (await Deno.readTextFile(file)).split("\n").length - 1;
    if (lines > MAX_LINES && !LONG_FILES.has(name)) long.push(`${name} (${lines} lines)`);
  }
  assert.deepEqual(long, [], `Files to split by job: ${long.join(", ")}`);
});
