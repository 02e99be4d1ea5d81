import { renderChecks, renderFramingWorstCases, renderRotationGzip, renderTable, roundRatios, type BenchReport, type ServerMeasurement } from '../../bench/report';

describe('roundRatios', () => {
  it('divides each receiver slice rate by the baseline slice of the same round', () => {
    const receiver = [
      { events: 600, elapsedSeconds: 2 }, // 300/s
      { events: 500, elapsedSeconds: 1 }, // 500/s
    ];
    const baseline = [
      { events: 1000, elapsedSeconds: 2 }, // 500/s
      { events: 1000, elapsedSeconds: 1 }, // 1000/s
    ];
    expect(roundRatios(receiver, baseline)).toEqual([0.6, 0.5]);
  });

  it('gives nothing when the servers did not run the same rounds', () => {
    expect(roundRatios([{ events: 1, elapsedSeconds: 1 }], [])).toBeUndefined();
    expect(roundRatios([], [])).toBeUndefined();
  });
});

describe('renderTable and renderChecks', () => {
  const measurement = (server: 'receiver' | 'baseline', eventsPerSec: number): ServerMeasurement => ({
    server,
    eventsPerSec,
    mbPerSec: 1,
    requestsPerSec: eventsPerSec / 100,
    latencyP50Ms: 1,
    latencyP99Ms: 2,
    peakRssBytes: 2 ** 20,
    cpuCores: 1,
    cpuMicrosPerEvent: 5,
    seconds: 10,
    acknowledgedRequests: 10,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    warmupRequests: 0,
    check: { expectedLines: 1000, actualLines: 1000, actualBytes: server === 'receiver' ? 1_185_000 : 472_000, deadLetterLines: 0, ok: true },
  });
  const report = (roundRatiosOfCase: number[] | undefined): BenchReport => ({
    startedAt: '',
    finishedAt: '',
    commit: undefined,
    machine: { cpuModel: 'cpu', cores: 2, memoryGiB: 1, node: 'v20', os: 'Linux', loadAverageAtStart: [0, 0, 0] },
    settings: { secondsPerCase: 10, warmupSeconds: 2, rounds: 4, connections: 10, pipelining: 1, receiverCommonArgs: [] },
    cases: [
      {
        id: 2,
        title: 'JSON batch',
        baselineDoes: '',
        eventsPerRequest: 100,
        meanEventBytes: 600,
        meanBodyBytes: 16000,
        receiver: measurement('receiver', 600),
        baseline: measurement('baseline', 1000),
        ratio: 0.6,
        roundRatios: roundRatiosOfCase,
      },
    ],
    targets: { ratioCases2And3: 0.7, met: false },
  });

  it('shows the lowest and highest round beside the ratio', () => {
    expect(renderTable(report([0.64, 0.55, 0.61, 0.58]))).toContain('0.60x (0.55–0.64)');
  });

  it('gives each output file the mean size of its lines, since writing them is part of the cost', () => {
    const checks = renderChecks(report(undefined));
    expect(checks).toContain('case 2 receiver: output file has 1,000 lines (1,185 B each)');
    expect(checks).toContain('case 2 baseline: output file has 1,000 lines (472 B each)');
  });

  it('shows the ratio alone when there was one round', () => {
    const table = renderTable(report([0.6]));
    expect(table).toContain('0.60x');
    expect(table).not.toContain('(');
  });
});

describe('renderFramingWorstCases', () => {
  const base = { startedAt: '', finishedAt: '', commit: undefined, cases: [], targets: { ratioCases2And3: 0.7, met: undefined } } as unknown as BenchReport;

  it('lists each case with its MB/s and its ratio to Konnect NDJSON', () => {
    const line = renderFramingWorstCases({
      ...base,
      framingWorstCases: [
        { name: 'Konnect NDJSON', mbPerSec: 130.25, ratio: 1 },
        { name: 'lines that open an array', mbPerSec: 98.9, ratio: 0.759 },
      ],
    });
    expect(line).toContain('Konnect NDJSON 130.3 (1.00x); lines that open an array 98.9 (0.76x)');
  });

  it('says when it did not run, or why it could not', () => {
    expect(renderFramingWorstCases(base)).toBe('Framing worst cases: not run');
    expect(renderFramingWorstCases({ ...base, framingWorstCases: { notAvailable: 'exited with code 1' } })).toBe('Framing worst cases: not available: exited with code 1');
  });
});

describe('renderRotationGzip', () => {
  const base = { startedAt: '', finishedAt: '', commit: undefined, cases: [], targets: { ratioCases2And3: 0.7, met: undefined } } as unknown as BenchReport;

  it('gives both speeds and their ratio', () => {
    const line = renderRotationGzip({ ...base, rotationGzip: { fileMB: 18.26, streamingMBps: 108.4, inMemoryMBps: 140.2, ratio: 0.773 } });
    expect(line).toBe('Rotation gzip (bench/rotation-gzip.ts, 18.3 MB of records): compressRotated 108 MB per CPU second, gzipSync in memory 140, ratio 0.77');
  });

  it('says when it did not run, or why it could not', () => {
    expect(renderRotationGzip(base)).toBe('Rotation gzip: not run');
    expect(renderRotationGzip({ ...base, rotationGzip: { notAvailable: 'exited with code 1' } })).toBe('Rotation gzip: not available: exited with code 1');
  });
});
