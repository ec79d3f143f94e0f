/**
 * CPU-bound work: a fixed number of units of real integer computation, so that N calls need N times the
 * CPU time. (A loop that spins until the clock says "300 ms" would fake speedups when threads outnumber cores.)
 */
export function burnCpu(units: number): number {
  let x = 0x9e3779b9 | 0;
  let checksum = 0;
  const n = Math.max(0, Math.round(units));
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    checksum = (checksum + (x & 0xff)) | 0;
  }
  return checksum;
}

export interface CpuCalibration {
  /** Units of {@link burnCpu} per millisecond on this machine, this run (median of the trials). */
  unitsPerMs: number;
  /** Wall time spent calibrating (outside every timed region). */
  calibrationMs: number;
  trials: number;
}

/** Trials this long measure the rate a 100+ ms call really sees (short trials read a few percent fast). */
const TRIAL_MS = 50;

/** Measures {@link burnCpu}'s rate on the main thread; run before any timed region. */
export function calibrateCpu(trials = 5, trialMs = TRIAL_MS): CpuCalibration {
  const started = performance.now();
  const probeUnits = 2_000_000;
  burnCpu(probeUnits); // let the JIT optimise the loop first
  const t0 = performance.now();
  burnCpu(probeUnits);
  const roughRate = probeUnits / Math.max(performance.now() - t0, 1e-3);
  const unitsPerTrial = Math.max(probeUnits, Math.round(roughRate * trialMs));
  const rates: number[] = [];
  for (let i = 0; i < trials; i++) {
    const t1 = performance.now();
    burnCpu(unitsPerTrial);
    rates.push(unitsPerTrial / Math.max(performance.now() - t1, 1e-3));
  }
  rates.sort((a, b) => a - b);
  const unitsPerMs = rates[Math.floor(rates.length / 2)] ?? 0;
  return { unitsPerMs, calibrationMs: performance.now() - started, trials };
}
