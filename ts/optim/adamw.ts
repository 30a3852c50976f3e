import { AdamFamily, type AdamOptions, adamSpec } from "./adam.js";
import type { Params } from "./optimizer.js";

/**
 * AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay, which scales the
 * parameter by `1 - lr·weightDecay` before the update instead of adding to the gradient.
 */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, opts, adamSpec("AdamW", 1e-2), true);
  }
}
