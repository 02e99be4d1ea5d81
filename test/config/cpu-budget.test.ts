import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuBudget } from '../../src/config/cpu-budget';

describe('cpuBudget', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };

  it('is the CPUs the OS offers when no cgroup files say otherwise', () => {
    expect(cpuBudget(root)).toBe(os.availableParallelism());
  });

  it('is capped by a cgroup v2 quota, rounded up (1.5 CPUs → 2), and ignores "max"', () => {
    write('cpu.max', '150000 100000\n');
    expect(cpuBudget(root)).toBe(Math.min(2, os.availableParallelism()));
    write('cpu.max', '20000 100000\n');
    expect(cpuBudget(root)).toBe(1);
    write('cpu.max', 'max 100000\n');
    expect(cpuBudget(root)).toBe(os.availableParallelism());
  });

  it('is capped by a cgroup v1 quota, and ignores -1 (unlimited)', () => {
    write('cpu/cpu.cfs_period_us', '100000\n');
    write('cpu/cpu.cfs_quota_us', '100000\n');
    expect(cpuBudget(root)).toBe(1);
    write('cpu/cpu.cfs_quota_us', '-1\n');
    expect(cpuBudget(root)).toBe(os.availableParallelism());
  });
});
