// The single-precision FMA peak of one core, measured: independent vector FMAs with no
// memory traffic, as many chains as it takes to cover the FMA latency on every pipe.
// The SGEMM rows are set against this figure, so "near the hardware limit" is read
// off the run itself rather than from a clock and a pipe count looked up elsewhere.
// Built by bench/main.ts with `cc -O2 -march=native`; prints one JSON line.
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define ISA "avx512f"
typedef __m512 vec;
#define LANES 16
#define SPLAT(x) _mm512_set1_ps(x)
#define FMA(acc, a, b) _mm512_fmadd_ps(a, b, acc)
#define FIRST(v) _mm512_cvtss_f32(v)
// 32 registers: chains for two pipes of latency up to 8 cycles.
#define CHAINS 16
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define ISA "avx2+fma"
typedef __m256 vec;
#define LANES 8
#define SPLAT(x) _mm256_set1_ps(x)
#define FMA(acc, a, b) _mm256_fmadd_ps(a, b, acc)
#define FIRST(v) _mm256_cvtss_f32(v)
// 16 registers: 12 chains and the two operands, for two pipes of latency up to 6 cycles.
#define CHAINS 12
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#define ISA "neon"
typedef float32x4_t vec;
#define LANES 4
#define SPLAT(x) vdupq_n_f32(x)
#define FMA(acc, a, b) vfmaq_f32(acc, a, b)
#define FIRST(v) vgetq_lane_f32(v, 0)
// 32 registers: chains for four pipes of latency 4.
#define CHAINS 16
#endif

#ifdef ISA
static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  // Operands from the command line's length, so the compiler cannot fold the chains.
  float a = 1.0f - 1e-7f * (float)argc, b = 1e-7f * (float)(argc + 1);
  (void)argv;
  const long steps = 20 * 1000 * 1000;
  const int repetitions = 9;
  double best = 0;
  float sink = 0;
  for (int r = 0; r < repetitions; r++) {
    vec acc[CHAINS], va = SPLAT(a), vb = SPLAT(b);
    for (int c = 0; c < CHAINS; c++) acc[c] = SPLAT((float)c);
    double start = seconds();
    for (long s = 0; s < steps; s++) {
      // Unrolled, the chains live in registers; as a loop they went through memory and
      // the store-to-load latency, not the FMA pipes, set the pace (40 of ~98 GFLOPS).
#pragma GCC unroll 32
      for (int c = 0; c < CHAINS; c++) acc[c] = FMA(acc[c], va, vb);
    }
    double elapsed = seconds() - start;
    for (int c = 0; c < CHAINS; c++) sink += FIRST(acc[c]);
    double gflops = 2.0 * LANES * CHAINS * (double)steps / elapsed * 1e-9;
    if (gflops > best) best = gflops;
  }
  printf("{\"isa\":\"%s\",\"gflops\":%.1f,\"sink\":%g}\n", ISA, best, (double)sink);
  return 0;
}
#else
int main(void) {
  printf("{\"missing\":\"no vector FMA that peak.c knows (AVX-512F, AVX2+FMA, NEON)\"}\n");
  return 0;
}
#endif
