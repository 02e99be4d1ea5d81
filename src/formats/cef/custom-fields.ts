/**
 * Custom-field translation: `cs1Label=Rule cs1=42` → `{ Rule: "42" }`, for every custom family
 * (cs/cn/cfp/c6a/deviceCustomDate/flexString/flexNumber/flexDate, any N, short or full spelling).
 * The raw `csN`/`csNLabel` pairs stay in `extensions`; this only adds a view.
 * It never throws: an unpaired label or value, an empty label, or two fields sharing a label
 * become warnings (VRL errors on these; labels are producer-defined, so they do go wrong).
 */
import { customFieldKey } from './dictionary';
import type { CefWarning } from './types';

interface Part {
  key: string;
  text: string;
}

export function translateCustomFields(extensions: Record<string, string>, warnings: CefWarning[]): Record<string, string> {
  const labels = new Map<string, Part>();
  const values = new Map<string, Part>();
  for (const key of Object.keys(extensions)) {
    const custom = customFieldKey(key);
    if (custom === undefined) continue;
    const into = custom.label ? labels : values;
    const seen = into.get(custom.base);
    if (seen !== undefined) {
      warnings.push({ message: `${key} repeats ${seen.key}; the first one is used`, key });
      continue;
    }
    into.set(custom.base, { key, text: extensions[key] as string });
  }

  const named: Record<string, string> = {};
  for (const [base, value] of values) {
    const label = labels.get(base);
    if (label === undefined) {
      warnings.push({ message: `${value.key} has no label, so it is not translated`, key: value.key });
      continue;
    }
    if (label.text.trim().length === 0) {
      warnings.push({ message: `${label.key} is empty, so ${value.key} is not translated`, key: label.key });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(named, label.text)) {
      warnings.push({ message: `label ${JSON.stringify(label.text)} is used twice; ${value.key} is not translated`, key: label.key });
      continue;
    }
    Object.defineProperty(named, label.text, { value: value.text, enumerable: true, writable: true, configurable: true });
  }
  for (const [base, label] of labels) {
    if (!values.has(base)) {
      warnings.push({ message: `${label.key}=${JSON.stringify(label.text)} has no value field`, key: label.key });
    }
  }
  return named;
}
