// Benchmark: how long the local control plane takes to start from a warm binary cache
// (etcd + kube-apiserver /readyz + kube-controller-manager /healthz) and to stop.
import { obtainBinaries } from '../../harness/binaries.js';
import { ControlPlane } from '../../harness/control-plane.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const binaries = await obtainBinaries();
const starts: number[] = [];
const stops: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const cp = await ControlPlane.start({ binaries, log: () => {} });
  const t1 = performance.now();
  await cp.stop();
  starts.push((t1 - t0) / 1000);
  stops.push((performance.now() - t1) / 1000);
}
const fmt = (xs: number[]): string =>
  `min ${Math.min(...xs).toFixed(2)} s, median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(2)} s, max ${Math.max(...xs).toFixed(2)} s`;
console.log(`control plane warm start (${runs} runs): ${fmt(starts)}`);
console.log(`control plane stop       (${runs} runs): ${fmt(stops)}`);
