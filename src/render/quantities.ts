// ACI's numbers (cores, GB = 10^9 bytes) as canonical Kubernetes quantities, so what we apply is
// what the API server stores and server-side apply sees no difference.

/** Cores as a quantity: `2`, `500m`, `1500m`. */
export function cpuQuantity(cores: number): string {
  const millicores = Math.round(cores * 1000);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** ACI's GB (10^9 bytes, not GiB) as a quantity in the largest exact decimal unit: `2G`, `1500M`. */
export function memoryQuantity(gigabytes: number): string {
  const bytes = Math.round(gigabytes * 1e9);
  for (const [unit, size] of [
    ["G", 1e9],
    ["M", 1e6],
    ["k", 1e3],
  ] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
