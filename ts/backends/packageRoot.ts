/** Where the package's build outputs live, found from wherever this file was compiled to. */

/** Node's fs, reached without a static import so that this module also loads in browsers. */
export function nodeFs(): typeof import("node:fs") | undefined {
  // Bundlers may define a `process` shim without getBuiltinModule.
  if (typeof process === "undefined" || typeof process.getBuiltinModule !== "function") return undefined;
  return process.getBuiltinModule("node:fs");
}

/** The package root: the nearest directory above this file whose package.json is named "descent". */
export function packageRoot(fs: typeof import("node:fs")): URL {
  let dir = new URL(".", import.meta.url);
  for (;;) {
    try {
      const pkg: unknown = JSON.parse(fs.readFileSync(new URL("package.json", dir), "utf8"));
      if (typeof pkg === "object" && pkg !== null && "name" in pkg && pkg.name === "descent") return dir;
    } catch {
      // No package.json here, or not JSON: keep walking up.
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) {
      throw new Error(`no package.json named "descent" above ${import.meta.url}`);
    }
    dir = parent;
  }
}
