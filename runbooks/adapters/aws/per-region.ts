/** One client (or anything) per Region, made on first use: `make` is called once per Region. */
export function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const cache = new Map<string, T>();
  return (region) => {
    if (!cache.has(region)) cache.set(region, make(region));
    return cache.get(region)!;
  };
}
