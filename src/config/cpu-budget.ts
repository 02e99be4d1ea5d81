import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The CPUs this process may use: what the OS offers, capped by a container's CPU quota (cgroup
 * v2 `cpu.max`, or v1 `cpu.cfs_quota_us`), which Node's availableParallelism() does not see. A
 * sidecar limited to one CPU on a 32-CPU node should not start threads for 32.
 */
export function cpuBudget(cgroupRoot = '/sys/fs/cgroup'): number {
  const cpus = os.availableParallelism();
  const quota = cgroupCpuQuota(cgroupRoot);
  return quota === undefined ? cpus : Math.max(1, Math.min(cpus, Math.ceil(quota)));
}

/** CPUs' worth of time per period, or undefined when unlimited or unknown. */
function cgroupCpuQuota(root: string): number | undefined {
  const v2 = readText(path.join(root, 'cpu.max')); // "max 100000", or "150000 100000" for 1.5 CPUs
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    return quotaInCpus(quota, period);
  }
  const quota = readText(path.join(root, 'cpu', 'cpu.cfs_quota_us')); // "-1" when unlimited
  const period = readText(path.join(root, 'cpu', 'cpu.cfs_period_us'));
  return quotaInCpus(quota?.trim(), period?.trim());
}

function quotaInCpus(quota: string | undefined, period: string | undefined): number | undefined {
  const quotaUs = Number(quota);
  const periodUs = Number(period);
  return quotaUs > 0 && periodUs > 0 ? quotaUs / periodUs : undefined;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
