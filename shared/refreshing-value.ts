/** A value loaded once and, if asked, reloaded when older than a refresh interval. */
export interface RefreshingValue<T> {
  /** The latest value; reloads first when the refresh interval has passed. */
  get: () => Promise<T>;
  /** False while the latest reload has failed (the previous value is still served). */
  isHealthy: () => boolean;
}

interface RefreshOptions {
  /** Reload after this many ms; 0 keeps the first value for the life of the container. */
  refreshMs: number;
  /** Told about a failed reload; the previous value stays in use. */
  onRefreshError: (error: unknown) => void;
  now?: () => number;
}

/**
 * Loads the value now (a failure here fails start-up) and returns it behind `get()`. Reloads
 * happen inside `get()`, not on a timer: Lambda freezes the process between invocations, so a
 * timer would fire at random. Concurrent callers share one reload; a failed reload keeps the
 * previous value and waits a full interval before trying again.
 */
export async function loadRefreshingValue<T>(load: () => Promise<T>, options: RefreshOptions): Promise<RefreshingValue<T>> {
  const now = options.now ?? Date.now;
  let value = await load();
  let loadedAt = now();
  let healthy = true;
  let reloading: Promise<void> | undefined;

  const reload = async (): Promise<void> => {
    try {
      value = await load();
      healthy = true;
    } catch (error) {
      healthy = false;
      options.onRefreshError(error);
    }
    loadedAt = now();
  };

  return {
    get: async () => {
      if (options.refreshMs > 0 && now() - loadedAt >= options.refreshMs) {
        reloading ??= reload().finally(() => {
          reloading = undefined;
        });
        await reloading;
      }
      return value;
    },
    isHealthy: () => healthy,
  };
}
