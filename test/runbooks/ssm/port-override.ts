/**
 * A port with some methods replaced: the others still run on the original object (a spread would drop the methods
 * of a class instance, which live on its prototype).
 */
export function overridePort<T extends object>(port: T, overrides: Partial<T>): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
