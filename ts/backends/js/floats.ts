/**
 * The arrays the reference kernels read and write. The js backend stores float32;
 * `autograd.gradcheck` runs the same kernels on float64 storage, where nothing rounds
 * to float32, so its finite differences are as precise as PyTorch's.
 */
export type Floats = Float32Array | Float64Array;
