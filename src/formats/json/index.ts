export { scanJsonValue, type ScannedValue, type ScanResult } from './scan';
export { parseJsonLossless, isJsonObject, type JsonObject, type JsonParseResult } from './parse';
export { stringifySorted } from './stringify';
