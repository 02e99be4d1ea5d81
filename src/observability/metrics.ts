import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SinkObserver } from '../pipeline/deliver';
import type { BatchResult } from '../pipeline/process-batch';

/**
 * The receiver's Prometheus metrics. Each receiver has its own registry, so several can run in
 * one process (tests) without their counts mixing.
 */
export class ReceiverMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'audit_relay_http_requests_total',
    help: 'HTTP requests answered, by status code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly events = new Counter({
    name: 'audit_relay_events_total',
    help: 'Events received, by outcome (accepted; duplicate: acknowledged, written before; rejected), format and rejection reason',
    labelNames: ['outcome', 'format', 'reason'] as const,
    registers: [this.registry],
  });

  readonly warnedEvents = new Counter({
    name: 'audit_relay_events_with_warnings_total',
    help: 'Acknowledged events (duplicates included) that the parser read leniently; each record written lists its warnings',
    labelNames: ['format'] as const,
    registers: [this.registry],
  });

  readonly requestBytes = new Counter({
    name: 'audit_relay_request_bytes_total',
    help: 'Request body bytes as sent (compressed or not)',
    registers: [this.registry],
  });

  readonly decodedBytes = new Counter({
    name: 'audit_relay_decoded_bytes_total',
    help: 'Request body bytes after decompression',
    registers: [this.registry],
  });

  readonly signatures = new Counter({
    name: 'audit_relay_signatures_total',
    help: 'Signature outcomes of well-framed events',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly authorizationFailures = new Counter({
    name: 'audit_relay_authorization_failures_total',
    help: 'Requests refused for their Authorization header, by reason (missing, mismatch, rate_limited)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly sinkWriteSeconds = new Histogram({
    name: 'audit_relay_sink_write_seconds',
    help: 'Time for one batch to be written (and synced, per --fsync) by a sink',
    labelNames: ['sink'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly sinkErrors = new Counter({
    name: 'audit_relay_sink_errors_total',
    help: 'Failed sink writes (each answered 503)',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });

  readonly inFlightBytes = new Gauge({
    name: 'audit_relay_in_flight_bytes',
    help: 'Request bytes held right now (as sent plus decoded), bounded by --max-in-flight',
    registers: [this.registry],
  });

  readonly deadLetterRecords = new Counter({
    name: 'audit_relay_dead_letter_records_total',
    help: 'Records written to the dead letter',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'audit_relay_' });
  }

  /** Count a batch once its writes have completed. */
  /** `duplicates`: indexes of the accepted records that were not written again. */
  recordDelivered(batch: BatchResult, duplicates: readonly number[] = []): void {
    const accepted: Record<string, number> = { ...batch.formats };
    for (const index of duplicates) {
      const format = batch.recordFormats[index]!;
      accepted[format]!--;
      this.events.inc({ outcome: 'duplicate', format, reason: '' });
    }
    for (const [format, count] of Object.entries(accepted)) {
      if (count > 0) this.events.inc({ outcome: 'accepted', format, reason: '' }, count);
    }
    for (const [format, count] of Object.entries(batch.warned)) if (count > 0) this.warnedEvents.inc({ format }, count);
    for (const rejected of batch.rejected) this.events.inc({ outcome: 'rejected', format: rejected.format, reason: rejected.code });
    for (const [outcome, count] of Object.entries(batch.signatures)) if (count > 0) this.signatures.inc({ outcome }, count);
  }

  readonly sinkObserver: SinkObserver = {
    written: (sink, seconds) => this.sinkWriteSeconds.observe({ sink }, seconds),
    failed: (sink) => this.sinkErrors.inc({ sink }),
  };
}
