// The mnist package ships no types: it exports ten digits, each with its images as one
// flat array of 28·28 pixel values in [0, 1] per sample.
declare module "mnist" {
  interface Digit {
    readonly id: number;
    readonly length: number;
    readonly raw: readonly number[];
  }
  const digits: readonly Digit[];
  export default digits;
}
