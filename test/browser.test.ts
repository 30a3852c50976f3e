// descent in a browser: headless Chromium (Debian's, driven by puppeteer-core) loads the
// compiled package from build/, once as an unbundled module graph and once bundled by
// Vite, lets ready() pick the backend and trains the tutorial on it. The same training
// in Node on the wasm backend must learn the same numbers.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { build as viteBuild } from "vite";
import { afterAll, beforeAll, expect, test } from "vitest";
import * as descent from "../ts/index.js";

const root = join(import.meta.dirname, "..");
const build = join(root, "build");
const contentTypes: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
};
/** A page's project for Vite, inside build/ so that the server serves what it emits. */
const viteProject = join(build, "browser-test-vite");

/**
 * The tutorial as a function of the descent module, in plain JavaScript source: the page
 * evaluates this text as it is, and Node compiles the same text.
 */
const tutorial = `async (d) => {
  await d.ready();
  d.manualSeed(42);
  const x = d.randn([100, 2]);
  const y = x.matmul(d.tensor([[2], [3]])).add(d.randn([100, 1]).mul(0.1));
  const model = new d.nn.Linear(2, 1);
  const criterion = new d.nn.MSELoss();
  const optimizer = new d.optim.SGD(model.parameters(), { lr: 0.01 });
  const losses = [];
  for (let epoch = 1; epoch <= 1000; epoch++) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    if (epoch % 100 === 0) losses.push(loss.item());
  }
  return { info: d.backendInfo(), weight: Array.from(model.weight.toFloat32Array()), bias: model.bias.item(), losses };
}`;

interface Learned {
  info: descent.BackendInfo;
  weight: number[];
  bias: number;
  losses: number[];
}

/** build/ over HTTP, and an empty page at / to run scripts in (with no icon to fetch). */
function serveBuild(): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)));
    if (request.url === "/") {
      response
        .writeHead(200, { "content-type": "text/html" })
        .end('<!doctype html><title>descent</title><link rel="icon" href="data:,">');
      return;
    }
    const type = contentTypes[extname(path)];
    if (!path.startsWith(build + sep) || type === undefined) {
      response.writeHead(404).end();
      return;
    }
    try {
      response.writeHead(200, { "content-type": type }).end(await readFile(path));
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let server: Server;
let browser: Browser;
let inNode: Learned;

beforeAll(async () => {
  server = await serveBuild();
  browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  await descent.setBackend("wasm");
  inNode = (await new Function(`return ${tutorial}`)()(descent)) as Learned;
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  await rm(viteProject, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A new page whose uncaught errors, console errors and warnings are collected. */
async function watchedPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "warn" || message.type() === "error") errors.push(message.text());
  });
  return { page, errors };
}

/** What the browser learned against Node's run: wasm with relaxed SIMD, the same floats. */
function expectLearnedAsInNode(inBrowser: Learned): void {
  expect(inNode.info.name).toBe("wasm");
  expect(inBrowser.info).toMatchObject({ name: "wasm", simd: "simd128+relaxed", tried: [{ name: "wasm", ok: true }] });
  expect(inBrowser.weight[0]).toBeCloseTo(2, 1);
  expect(inBrowser.weight[1]).toBeCloseTo(3, 1);
  // Same module, same seed, same instructions: the same floats.
  const learned = (r: Learned) => [...r.weight, r.bias, ...r.losses];
  const browserFigures = learned(inBrowser);
  const nodeFigures = learned(inNode);
  expect(browserFigures).toHaveLength(13);
  const gaps = browserFigures.map((value, i) => Math.abs(value - (nodeFigures[i] ?? Number.NaN)));
  expect(Math.max(...gaps)).toBeLessThan(1e-6);
}

test("unbundled in Chromium, ready() picks the wasm backend (relaxed SIMD) and the tutorial learns what it learns in Node", async () => {
  const { page, errors } = await watchedPage();
  await page.goto(`${origin()}/`);
  const inBrowser = (await page.evaluate(`import("/build/ts/index.js").then((d) => (${tutorial})(d))`)) as Learned;
  expect(errors).toEqual([]);
  expectLearnedAsInNode(inBrowser);
});

test("bundled by Vite, the page fetches the wasm build Vite emitted and learns the same", async () => {
  await rm(viteProject, { recursive: true, force: true });
  await mkdir(viteProject, { recursive: true });
  await writeFile(
    join(viteProject, "index.html"),
    '<!doctype html><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>',
  );
  await writeFile(
    join(viteProject, "main.js"),
    `import * as d from "../ts/index.js";\n(${tutorial})(d).then((r) => { window.learned = r; }, (e) => { window.failed = String(e); });\n`,
  );
  const out = join(viteProject, "dist");
  await viteBuild({ root: viteProject, base: "./", logLevel: "error", build: { outDir: out } });
  const { page, errors } = await watchedPage();
  const fetched: string[] = [];
  page.on("request", (request) => fetched.push(new URL(request.url()).pathname));
  await page.goto(`${origin()}/build/browser-test-vite/dist/index.html`);
  await page.waitForFunction("window.learned !== undefined || window.failed !== undefined");
  expect(await page.evaluate("window.failed")).toBeUndefined();
  const inBrowser = (await page.evaluate("window.learned")) as Learned;
  expect(errors).toEqual([]);
  // The relaxed build, under the name Vite gave it among its assets.
  expect(fetched.filter((path) => path.endsWith(".wasm"))).toEqual([
    expect.stringMatching(/^\/build\/browser-test-vite\/dist\/assets\/descent-relaxed-[\w-]+\.wasm$/),
  ]);
  expectLearnedAsInNode(inBrowser);
});
