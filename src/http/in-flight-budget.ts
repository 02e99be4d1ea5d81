/**
 * Bounds the request bytes held at once (as sent plus decoded). Past the bound the receiver
 * answers 503 with Retry-After instead of growing its memory; Konnect retries those.
 */
export class InFlightBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get bytesInFlight(): number {
    return this.used;
  }
}
