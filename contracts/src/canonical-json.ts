/**
 * JSON text with object keys sorted, so values that differ only in key order compare equal:
 * PostgreSQL's jsonb and the Kubernetes API server both hand objects back in their own order.
 * Keys whose value is undefined are left out, as JSON.stringify does; with `omitNulls`, null ones
 * too, as the Kubernetes API server drops them on write.
 */
export function canonicalJson(value: unknown, options: { omitNulls?: boolean } = {}): string {
  const omit = (v: unknown) => v === undefined || (options.omitNulls === true && v === null);
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map((item) => (item === undefined ? 'null' : write(item))).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => !omit(x) && typeof x !== 'function')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`).join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return write(value);
}
