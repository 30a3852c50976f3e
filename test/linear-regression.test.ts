// The tutorial's example converges on every backend, and the example script itself runs.
import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";
import { manualSeed, nn, optim, randn, tensor } from "../ts/index.js";
import { allBackends, describeEachBackend } from "./backends.js";

describeEachBackend("linear regression", () => {
  test("1000 epochs of full-batch SGD learn weights within 0.05 of [2, 3]", () => {
    manualSeed(42);
    const x = randn([100, 2]);
    const y = x.matmul(tensor([[2], [3]])).add(randn([100, 1]).mul(0.1));
    const model = new nn.Linear(2, 1);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    const criterion = new nn.MSELoss();
    let first = Number.NaN;
    let last = Number.NaN;
    for (let epoch = 0; epoch < 1000; epoch++) {
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
      last = loss.item();
      if (epoch === 0) first = last;
    }
    const [w1, w2] = model.weight.toFloat32Array();
    expect(Math.abs((w1 as number) - 2)).toBeLessThan(0.05);
    expect(Math.abs((w2 as number) - 3)).toBeLessThan(0.05);
    expect(Math.abs(model.bias?.item() as number)).toBeLessThan(0.05);
    expect(last).toBeLessThan(0.02);
    expect(last).toBeLessThan(first / 100);
  });
});

test.each(allBackends)("examples/linear-regression.ts prints the tutorial's output on %s", (backend) => {
  const output = execFileSync("npx", ["tsx", "--conditions=source", "examples/linear-regression.ts"], {
    env: { ...process.env, DESCENT_BACKEND: backend },
    encoding: "utf8",
  });
  expect(output).toMatch(/^Epoch \[100\/1000\], Loss: \d+\.\d{4}$/m);
  expect(output).toMatch(/^Epoch \[1000\/1000\], Loss: 0\.0\d{3}$/m);
  expect(output).toContain(`Backend: ${backend}`);
});
