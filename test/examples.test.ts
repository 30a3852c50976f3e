// Each example runs as a user would run it and prints what it learned: the thresholds
// sit well below the accuracies and above the losses observed (see each test), so they
// catch a broken feature, not run-to-run noise between backends.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import type { BackendName } from "../ts/index.js";
import { allBackends } from "./backends.js";

async function runExample(name: string, backend: BackendName): Promise<string> {
  const { stdout } = await promisify(execFile)("npx", ["tsx", "--conditions=source", `examples/${name}.ts`], {
    env: { ...process.env, DESCENT_BACKEND: backend },
    encoding: "utf8",
  });
  expect(stdout).toContain(`Backend: ${backend}`);
  return stdout;
}

/** The percentage printed after `label`, e.g. "Test accuracy: 96.7%". */
function percent(output: string, label: string): number {
  const match = new RegExp(`^${label}: (\\d+\\.\\d)%`, "m").exec(output);
  if (!match) throw new Error(`no "${label}" line in:\n${output}`);
  return Number(match[1]);
}

/** The losses printed on "Epoch [i/n], Loss: ..." lines, in order. */
const losses = (output: string) =>
  [...output.matchAll(/^Epoch \[\d+\/\d+\], Loss: (\d+\.\d+)/gm)].map((m) => Number(m[1]));

test.each(allBackends)("logistic regression separates versicolor from virginica on %s", async (backend) => {
  const output = await runExample("logistic-regression", backend);
  const loss = losses(output);
  expect(loss).toHaveLength(5);
  expect(loss.at(-1)).toBeLessThan((loss[0] as number) * 0.7);
  expect(output).toMatch(/^Learned weights .*petal width \d\.\d{3}/m);
  expect(percent(output, "Train accuracy")).toBeGreaterThanOrEqual(90);
  expect(percent(output, "Test accuracy")).toBeGreaterThanOrEqual(85);
});

test.each(allBackends)("the iris MLP classifies the held-out flowers on %s", async (backend) => {
  const output = await runExample("iris-mlp", backend);
  expect(losses(output).at(-1)).toBeLessThan(0.2);
  expect(percent(output, "Test accuracy")).toBeGreaterThanOrEqual(85);
});

// The js reference needs minutes for this one; the others are checked against it elsewhere.
test.each(["native", "wasm"] as const)("the MNIST MLP reads held-out digits on %s", async (backend) => {
  const output = await runExample("mnist-mlp", backend);
  expect(output).toMatch(/^8000 training and 2000 test images/m);
  const loss = losses(output);
  expect(loss.at(-1)).toBeLessThan((loss[0] as number) / 2);
  expect(percent(output, "Test accuracy")).toBeGreaterThanOrEqual(92);
});

test.each(allBackends)("the optimizers table lists every variant with a converged loss on %s", async (backend) => {
  const output = await runExample("optimizers", backend);
  const variants = [
    "batch GD (SGD)",
    "stochastic GD (SGD)",
    "mini-batch GD (SGD)",
    "momentum",
    "Nesterov",
    "Adagrad",
    "RMSprop",
    "Adam",
  ];
  for (const name of variants) {
    const row = output.split("\n").find((line) => line.startsWith(`${name}  `));
    if (!row) throw new Error(`no row for ${name} in:\n${output}`);
    const [batch, steps, , final, distance, ms] = row.slice(name.length).trim().split(/\s+/).map(Number);
    expect(100 % (batch as number)).toBe(0);
    expect(steps).toBe((20 * 100) / (batch as number));
    expect(final, name).toBeLessThan(0.05);
    expect(distance, name).toBeLessThan(0.2);
    expect(ms).toBeGreaterThan(0);
  }
});
